/**
 * Patients write their own appointments directly only as requests (status proposed); booking,
 * moving and cancelling go through $book, $reschedule and $cancel, which apply the practice's
 * rules. The patient role of existing practices gets the rule DEFAULT_ROLES now ships.
 */
export const sql = `
UPDATE access_role SET policy = jsonb_set(policy, '{rules}', (
  SELECT jsonb_agg(CASE WHEN rule->'resourceTypes' = '["Appointment"]'::jsonb AND (rule->>'ownCompartment')::boolean
    THEN rule || '{"directStatuses": ["proposed"]}'::jsonb ELSE rule END ORDER BY position)
  FROM jsonb_array_elements(policy->'rules') WITH ORDINALITY AS r(rule, position)
))
WHERE code = 'patient' AND jsonb_typeof(policy->'rules') = 'array' AND jsonb_array_length(policy->'rules') > 0;
`;
