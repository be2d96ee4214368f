import { APP_ROLE } from '../database.js';

/** Administrators' reviews of emergency access, and staff accounts invited by link. */
const tenantFilter = `tenant_id = nullif(current_setting('app.tenant', true), '')::uuid`;

export const sql = `
-- One review per grant, by an administrator, with what they concluded. Grants themselves stay
-- untouched (they are evidence); a review is never edited either.
CREATE TABLE emergency_access_review (
  tenant_id uuid NOT NULL REFERENCES practice (id),
  grant_id uuid NOT NULL,
  reviewed_by uuid NOT NULL,
  reviewed_at timestamptz NOT NULL DEFAULT now(),
  note text NOT NULL,
  PRIMARY KEY (tenant_id, grant_id),
  FOREIGN KEY (tenant_id, grant_id) REFERENCES emergency_access (tenant_id, id),
  FOREIGN KEY (tenant_id, reviewed_by) REFERENCES user_account (tenant_id, id)
);
GRANT SELECT, INSERT ON emergency_access_review TO ${APP_ROLE};
ALTER TABLE emergency_access_review ENABLE ROW LEVEL SECURITY;
CREATE POLICY emergency_access_review_isolation ON emergency_access_review USING (${tenantFilter}) WITH CHECK (${tenantFilter});

-- When an administrator last sent the account an invitation link; with no password yet, the
-- account is waiting for the person to accept it.
ALTER TABLE user_account ADD COLUMN invited_at timestamptz;
`;
