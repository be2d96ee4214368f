import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

/** One message to one patient. Its id stays the same if the send is retried. */
export interface OutgoingMessage {
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Channel {
  readonly medium: 'email' | 'sms';
  /** Where it went, for the record (`smtp`, `sms-http`, `outbox`). */
  readonly via: string;
  send(message: OutgoingMessage): Promise<void>;
}

/**
 * Email over SMTP. The Message-ID is derived from the message id, so a send repeated after a
 * crash carries the same Message-ID and mail systems treat it as the same message.
 */
export class SmtpChannel implements Channel {
  readonly medium = 'email';
  readonly via = 'smtp';
  private readonly transport: Transporter;

  constructor(url: string, private readonly from: string) {
    this.transport = nodemailer.createTransport(url);
  }

  async send(message: OutgoingMessage): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text, messageId: `<${message.id}@unichart>` });
  }

  close(): void {
    this.transport.close();
  }
}

/** Text messages through an HTTP provider: POST {to, body, id} as JSON with a bearer token. */
export class HttpSmsChannel implements Channel {
  readonly medium = 'sms';
  readonly via = 'sms-http';

  constructor(private readonly url: string, private readonly token: string | undefined) {}

  async send(message: OutgoingMessage): Promise<void> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': message.id, ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ id: message.id, to: message.to, body: `${message.subject}\n${message.text}` }),
    });
    if (!response.ok) throw new Error(`The SMS provider answered ${response.status}`);
  }
}

/**
 * The sandbox: each message is a JSON file in a folder (named by its id, so a repeat overwrites
 * rather than duplicates). The demo and tests read it; nothing leaves the machine.
 */
export class OutboxChannel implements Channel {
  readonly via = 'outbox';

  constructor(readonly medium: 'email' | 'sms', private readonly dir: string) {}

  async send(message: OutgoingMessage): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, `${message.id}.json`), JSON.stringify({ medium: this.medium, ...message, queuedAt: new Date().toISOString() }, null, 2));
  }
}

export interface ChannelConfig {
  readonly smtpUrl?: string;
  readonly mailFrom: string;
  readonly smsUrl?: string;
  readonly smsToken?: string;
  readonly outboxDir: string;
}

/** Real adapters where configured, the outbox otherwise. */
export function channelsFrom(config: ChannelConfig): { email: Channel; sms: Channel } {
  return {
    email: config.smtpUrl ? new SmtpChannel(config.smtpUrl, config.mailFrom) : new OutboxChannel('email', join(config.outboxDir, 'email')),
    sms: config.smsUrl ? new HttpSmsChannel(config.smsUrl, config.smsToken) : new OutboxChannel('sms', join(config.outboxDir, 'sms')),
  };
}
