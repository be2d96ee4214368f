import { generate } from 'otplib';

/** The code an authenticator app shows now. */
export const currentCode = (secret: string): Promise<string> => generate({ secret });

/**
 * The code it shows in the next 30-second step: each step signs in once, so a test that
 * confirmed enrolment (or signed in) with the current code needs this one for its next sign-in.
 */
export const nextCode = (secret: string): Promise<string> => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
