import { fileURLToPath } from 'node:url';

/** Settings read once from the environment; the names are part of the product's interface. */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly baseUrl?: string;
  readonly practiceName: string;
  readonly adminEmail: string;
  /** Unset: the first start generates one and prints it once. */
  readonly adminPassword?: string;
  /** `id:base64key,...` for field encryption; the first key encrypts new values. */
  readonly encryptionKeys?: string;
  /** `UNICHART_IDENTIFIER_INDEX_KEY`: the HMAC key of sensitive identifiers' search tokens (base64, 32 bytes). */
  readonly identifierIndexKey?: string;
  readonly idleMinutes: number;
  readonly corsOrigins: string[];
  readonly requestsPerMinute: number;
  readonly signInsPerMinute: number;
  /** The built web app served at `/`; the server runs without it (API only) when the folder is empty. */
  readonly webDir: string;
  /** Paths of a PEM certificate and key; both set means HTTPS. */
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /** IANA time zone of schedules that do not name their own. */
  readonly timeZone: string;
  readonly reminders: {
    readonly smtpUrl?: string;
    readonly mailFrom: string;
    readonly smsUrl?: string;
    readonly smsToken?: string;
    readonly outboxDir: string;
    readonly hoursBefore: number[];
    /** Origin of the reply links in reminders. */
    readonly publicUrl?: string;
  };
  readonly jobPollMs: number;
  readonly reminderPlanMs: number;
  /** How long a claimed job is held before another process may take it over. */
  readonly jobLeaseMs: number;
  /** Load the demo practice into a fresh practice (UNICHART_DEMO; on by default for the embedded database only). */
  readonly demo: boolean;
}

/** Where `npm ci` leaves the web build: found on disk, never imported, so the server does not depend on the web package. */
const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    port: Number(env.PORT ?? 8080),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.UNICHART_DATA_DIR ?? './data',
    baseUrl: env.UNICHART_BASE_URL || undefined,
    practiceName: env.UNICHART_PRACTICE_NAME ?? 'Unichart Demo Practice',
    adminEmail: env.UNICHART_ADMIN_EMAIL ?? 'admin@unichart.local',
    adminPassword: env.UNICHART_ADMIN_PASSWORD || undefined,
    encryptionKeys: env.UNICHART_ENCRYPTION_KEYS || undefined,
    identifierIndexKey: env.UNICHART_IDENTIFIER_INDEX_KEY || undefined,
    idleMinutes: Number(env.UNICHART_IDLE_MINUTES ?? 15),
    corsOrigins: (env.UNICHART_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    requestsPerMinute: Number(env.UNICHART_RATE_LIMIT_PER_MINUTE ?? 60_000),
    signInsPerMinute: Number(env.UNICHART_SIGN_INS_PER_MINUTE ?? 10),
    webDir: env.UNICHART_WEB_DIR || DEFAULT_WEB_DIR,
    tlsCertFile: env.UNICHART_TLS_CERT || undefined,
    tlsKeyFile: env.UNICHART_TLS_KEY || undefined,
    timeZone: env.UNICHART_TIMEZONE || Intl.DateTimeFormat().resolvedOptions().timeZone,
    reminders: {
      smtpUrl: env.UNICHART_SMTP_URL || undefined,
      mailFrom: env.UNICHART_MAIL_FROM || 'Unichart <no-reply@unichart.local>',
      smsUrl: env.UNICHART_SMS_URL || undefined,
      smsToken: env.UNICHART_SMS_TOKEN || undefined,
      outboxDir: env.UNICHART_OUTBOX_DIR ?? `${env.UNICHART_DATA_DIR ?? './data'}/outbox`,
      hoursBefore: (env.UNICHART_REMINDER_HOURS ?? '48,2').split(',').map(Number).filter((h) => h > 0),
      publicUrl: env.UNICHART_PUBLIC_URL || undefined,
    },
    jobPollMs: Number(env.UNICHART_JOB_POLL_MS ?? 1000),
    reminderPlanMs: Number(env.UNICHART_REMINDER_PLAN_MS ?? 60_000),
    jobLeaseMs: Number(env.UNICHART_JOB_LEASE_MS ?? 60_000),
    demo: env.UNICHART_DEMO ? ['1', 'true', 'yes', 'on'].includes(env.UNICHART_DEMO.toLowerCase()) : !env.DATABASE_URL,
  };
}
