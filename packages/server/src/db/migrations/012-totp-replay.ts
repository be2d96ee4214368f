/** The last authenticator time step a person signed in with: a code is good for one sign-in. */
export const sql = `
ALTER TABLE user_account ADD COLUMN mfa_last_step bigint;
`;
