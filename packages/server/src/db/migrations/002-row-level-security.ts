import { APP_ROLE } from '../database.js';
import { TENANT_TABLES } from './001-record-store.js';

/**
 * Practices are isolated by the database itself: the application role sees and writes only
 * rows of the practice named in the session setting app.tenant. History rows are never
 * updated or deleted by the application.
 */
const tenantFilter = `tenant_id = nullif(current_setting('app.tenant', true), '')::uuid`;

export const sql = `
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
    CREATE ROLE ${APP_ROLE} NOLOGIN;
  END IF;
END $$;
GRANT ${APP_ROLE} TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO ${APP_ROLE};
GRANT SELECT ON practice TO ${APP_ROLE};
ALTER TABLE practice ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_isolation ON practice USING (id = nullif(current_setting('app.tenant', true), '')::uuid);
${TENANT_TABLES.map(
  (table) => `
GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${APP_ROLE};
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY ${table}_isolation ON ${table} USING (${tenantFilter}) WITH CHECK (${tenantFilter});`,
).join('\n')}
REVOKE UPDATE, DELETE ON resource_history FROM ${APP_ROLE};
`;
