import { APP_ROLE } from '../database.js';

/**
 * Staff single sign-on through the practice's own OpenID Connect provider: the provider's
 * settings (the client secret encrypted), each sign-in under way (state, nonce and PKCE
 * verifier, kept minutes), and which outside subject is which Unichart account.
 */
const tenantFilter = `tenant_id = nullif(current_setting('app.tenant', true), '')::uuid`;
const isolated = (table: string) => `
GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${APP_ROLE};
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY ${table}_isolation ON ${table} USING (${tenantFilter}) WITH CHECK (${tenantFilter});`;

export const sql = `
CREATE TABLE sso_provider (
  tenant_id uuid NOT NULL REFERENCES practice (id),
  id uuid NOT NULL,
  name text NOT NULL,
  issuer text NOT NULL,
  client_id text NOT NULL,
  client_secret text NOT NULL,
  role_claim text,
  role_map jsonb NOT NULL DEFAULT '{}',
  required boolean NOT NULL DEFAULT false,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE TABLE sso_sign_in (
  tenant_id uuid NOT NULL,
  state text NOT NULL,
  provider_id uuid NOT NULL,
  code_verifier text NOT NULL,
  nonce text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, state)
);
CREATE UNIQUE INDEX sso_sign_in_state ON sso_sign_in (state);
CREATE TABLE sso_identity (
  tenant_id uuid NOT NULL,
  provider_id uuid NOT NULL,
  subject text NOT NULL,
  account_id uuid NOT NULL,
  PRIMARY KEY (tenant_id, provider_id, subject)
);
${['sso_provider', 'sso_sign_in', 'sso_identity'].map(isolated).join('\n')}
`;
