import { APP_ROLE } from '../database.js';

/**
 * Practice security switches (issue 3): sessions restricted to enrolling a second factor, the
 * default roles' new policy flags, and emergency ("break the glass") access grants.
 */
const tenantFilter = `tenant_id = nullif(current_setting('app.tenant', true), '')::uuid`;

export const sql = `
-- A person whose practice requires MFA and who has none gets a session that may only enrol it.
ALTER TABLE user_session ADD COLUMN restriction text CHECK (restriction IN ('mfa-enrolment'));

-- The default roles as they now ship (practices created later get them from DEFAULT_ROLES;
-- the outside provider's policy is OUTSIDE_PROVIDER_ROLE's at the time of writing).
UPDATE access_role SET policy = policy || '{"requiresMfa": true, "sensitiveIdentifiers": true}'::jsonb WHERE code IN ('administrator', 'physician');
UPDATE access_role SET policy = policy || '{"careTeamOnly": true}'::jsonb WHERE code IN ('physician', 'nurse');
UPDATE access_role SET policy = policy || '{"sensitiveIdentifiers": true}'::jsonb WHERE code = 'front-desk';
INSERT INTO access_role (tenant_id, code, name, policy)
  SELECT id, 'outside-provider', 'Outside provider', '{"sharedOnly":true,"rules":[{"resourceTypes":["Patient","Observation","Condition","AllergyIntolerance","MedicationRequest","MedicationStatement","Immunization","Procedure","DiagnosticReport","Encounter","DocumentReference","CarePlan","CareTeam","Goal","ServiceRequest","Composition"],"interactions":["read","search"]},{"resourceTypes":["Organization","Practitioner","PractitionerRole","Location","HealthcareService","Endpoint"],"interactions":["read","search","history"]}]}'::jsonb FROM practice
  ON CONFLICT DO NOTHING;

-- Emergency access: who opened which patient's record outside their care team, why, until when.
-- Grants are never edited or removed: they are evidence.
CREATE TABLE emergency_access (
  tenant_id uuid NOT NULL REFERENCES practice (id),
  id uuid NOT NULL,
  account_id uuid NOT NULL,
  patient_id text NOT NULL,
  reason text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES user_account (tenant_id, id)
);
CREATE INDEX emergency_access_account ON emergency_access (tenant_id, account_id, expires_at);
CREATE INDEX emergency_access_started ON emergency_access (tenant_id, started_at);
GRANT SELECT, INSERT ON emergency_access TO ${APP_ROLE};
ALTER TABLE emergency_access ENABLE ROW LEVEL SECURITY;
CREATE POLICY emergency_access_isolation ON emergency_access USING (${tenantFilter}) WITH CHECK (${tenantFilter});
`;
