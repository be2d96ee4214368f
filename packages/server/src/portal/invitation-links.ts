import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Channel, OutgoingMessage } from '../reminders/channels.js';

/** What an invitation link lets its holder do: choose the password of one pending account (portal or staff), until it expires. */
export interface Invitation {
  readonly tenantId: string;
  readonly accountId: string;
  readonly expires: number;
}

/** Seven days: long enough to find the email, short enough that a forgotten one goes stale. */
export const INVITATION_DAYS = 7;

/**
 * Signed, self-contained invitation tokens (HMAC-SHA256 with a platform secret, like reminder
 * links): no table of tokens to keep or leak. A token is good once: it only acts on an account
 * that has no password yet, so after the patient chooses one every copy of the link is dead.
 */
export class InvitationLinks {
  constructor(private readonly secret: string) {}

  sign(invitation: Invitation): string {
    const body = Buffer.from(JSON.stringify(['portal-invitation', invitation.tenantId, invitation.accountId, invitation.expires])).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The invitation when the token is genuine and not expired. */
  verify(token: string, now = Date.now()): Invitation | undefined {
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const [purpose, tenantId, accountId, expires] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [string, string, string, number];
      if (purpose !== 'portal-invitation' || typeof expires !== 'number' || expires < now) return undefined;
      return { tenantId, accountId, expires };
    } catch {
      return undefined;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

/** How the link reached the person: by email (via smtp or the outbox), or only handed to whoever invited them. */
export interface InvitationDelivery {
  readonly medium: 'email' | 'none';
  readonly via?: string;
  readonly error?: string;
}

/** The page the link opens. The token rides in the fragment: browsers never send it to a server or in a Referer header. */
export function invitationUrl(origin: string, token: string): string {
  return `${origin.replace(/\/+$/, '')}/app/welcome#invitation=${token}`;
}

/** A failed send does not lose the invitation: the staff member still has the link to hand over. */
export async function sendInvitation(channel: Channel | undefined, message: OutgoingMessage): Promise<InvitationDelivery> {
  if (!channel) return { medium: 'none' };
  try {
    await channel.send(message);
    return { medium: 'email', via: channel.via };
  } catch (error) {
    return { medium: 'none', via: channel.via, error: `The email could not be sent (${error instanceof Error ? error.message : String(error)}); hand over the link yourself` };
  }
}
