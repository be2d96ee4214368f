import { APP_ROLE } from '../database.js';

/**
 * OAuth2 / SMART on FHIR. Apps are registered by a practice's administrator (oauth_client);
 * what the authorization server must remember between requests (sessions, interactions,
 * grants, codes, access and refresh tokens, launch contexts) is kept in oauth_artifact, one row
 * per artifact, keyed by practice first like every other table. Artifacts are looked up by the
 * value an app or browser presents before the practice is known, so their id is unique on its own.
 * An artifact made before anyone signed in (no practice yet) belongs to the nil practice id.
 */
const tenantFilter = `tenant_id = nullif(current_setting('app.tenant', true), '')::uuid`;

export const sql = `
CREATE TABLE oauth_client (
  tenant_id uuid NOT NULL REFERENCES practice (id),
  id uuid NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('public', 'confidential', 'backend')),
  -- oidc-provider client metadata; a client secret in it is encrypted at rest.
  metadata jsonb NOT NULL,
  -- The scopes an administrator allowed: every token of the app is narrowed to them.
  scopes text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX oauth_client_id ON oauth_client (id);

CREATE TABLE oauth_artifact (
  tenant_id uuid NOT NULL,
  model text NOT NULL,
  id text NOT NULL,
  payload jsonb NOT NULL,
  client_id text,
  account_id text,
  grant_id text,
  uid text,
  user_code text,
  expires_at timestamptz,
  consumed_at timestamptz,
  PRIMARY KEY (tenant_id, model, id)
);
CREATE UNIQUE INDEX oauth_artifact_lookup ON oauth_artifact (model, id);
CREATE INDEX oauth_artifact_grant ON oauth_artifact (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oauth_artifact_uid ON oauth_artifact (uid) WHERE uid IS NOT NULL;
CREATE INDEX oauth_artifact_account ON oauth_artifact (tenant_id, account_id) WHERE account_id IS NOT NULL;
CREATE INDEX oauth_artifact_client ON oauth_artifact (tenant_id, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX oauth_artifact_expiry ON oauth_artifact (expires_at);

${['oauth_client', 'oauth_artifact']
  .map(
    (table) => `
GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${APP_ROLE};
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY ${table}_isolation ON ${table} USING (${tenantFilter}) WITH CHECK (${tenantFilter});`,
  )
  .join('\n')}
`;
