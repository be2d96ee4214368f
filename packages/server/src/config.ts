/** Settings read once from the environment; the names are part of the product's interface. */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly baseUrl?: string;
  readonly practiceName: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    port: Number(env.PORT ?? 8080),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.UNICHART_DATA_DIR ?? './data',
    baseUrl: env.UNICHART_BASE_URL || undefined,
    practiceName: env.UNICHART_PRACTICE_NAME ?? 'Unichart Demo Practice',
  };
}
