import { APP_ROLE } from '../database.js';

/**
 * Accounts, roles and sessions. An account belongs to one practice; its email is unique across
 * the platform so sign-in needs nothing but email and password. Roles hold their access policy
 * as data an administrator can edit.
 */
const tenantFilter = `tenant_id = nullif(current_setting('app.tenant', true), '')::uuid`;

export const sql = `
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE access_role (
  tenant_id uuid NOT NULL REFERENCES practice (id),
  code text NOT NULL,
  name text NOT NULL,
  policy jsonb NOT NULL,
  PRIMARY KEY (tenant_id, code)
);

CREATE TABLE user_account (
  tenant_id uuid NOT NULL REFERENCES practice (id),
  id uuid NOT NULL,
  email citext NOT NULL,
  display_name text NOT NULL,
  password_hash text,
  role_code text NOT NULL,
  fhir_user text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
  mfa_secret text,
  failed_sign_ins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, role_code) REFERENCES access_role (tenant_id, code)
);
CREATE UNIQUE INDEX user_account_email ON user_account (email);

CREATE TABLE user_session (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  refresh_hash text NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES user_account (tenant_id, id)
);
CREATE INDEX user_session_user ON user_session (tenant_id, user_id);
CREATE UNIQUE INDEX user_session_refresh ON user_session (refresh_hash);

-- Secrets shared by every server copy (token signing key), created on first start.
CREATE TABLE platform_secret (
  name text PRIMARY KEY,
  value text NOT NULL
);

${['access_role', 'user_account', 'user_session']
  .map(
    (table) => `
GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${APP_ROLE};
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY ${table}_isolation ON ${table} USING (${tenantFilter}) WITH CHECK (${tenantFilter});`,
  )
  .join('\n')}
`;
