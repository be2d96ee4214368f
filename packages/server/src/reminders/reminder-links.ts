import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a reminder's reply link lets its holder do: confirm or cancel one appointment, until it expires. */
export interface ReminderLink {
  readonly tenantId: string;
  readonly appointmentId: string;
  /** The start time the reminder announced: a link to a moved appointment no longer acts. */
  readonly start: string;
  readonly expires: number;
}

/**
 * Signed, self-contained reply links: the patient needs no account to answer a reminder, and
 * the server keeps no table of links. The HMAC key is a platform secret shared by every copy.
 */
export class ReminderLinks {
  constructor(private readonly secret: string) {}

  sign(link: ReminderLink): string {
    const body = Buffer.from(JSON.stringify([link.tenantId, link.appointmentId, link.start, link.expires])).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The link's content when it is genuine and not expired. */
  verify(token: string, now = Date.now()): ReminderLink | undefined {
    const [body, mac] = token.split('.');
    if (!body || !mac) return undefined;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const [tenantId, appointmentId, start, expires] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [string, string, string, number];
      if (typeof expires !== 'number' || expires < now) return undefined;
      return { tenantId, appointmentId, start, expires };
    } catch {
      return undefined;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
