/**
 * Default-role changes for practices created before them (new practices get DEFAULT_ROLES):
 * - patients write their own appointments directly only as requests (status proposed); booking,
 *   moving and cancelling go through $book, $reschedule and $cancel, which apply the rules;
 * - the front desk reads copays taken at check-in (PaymentReconciliation) and the practice's
 *   appointment types (CodeSystem), added only where the role does not read them already.
 */
export const sql = `
UPDATE access_role SET policy = jsonb_set(policy, '{rules}', (
  SELECT jsonb_agg(CASE WHEN rule->'resourceTypes' = '["Appointment"]'::jsonb AND (rule->>'ownCompartment')::boolean
    THEN rule || '{"directStatuses": ["proposed"]}'::jsonb ELSE rule END ORDER BY position)
  FROM jsonb_array_elements(policy->'rules') WITH ORDINALITY AS r(rule, position)
))
WHERE code = 'patient' AND jsonb_typeof(policy->'rules') = 'array' AND jsonb_array_length(policy->'rules') > 0;

UPDATE access_role SET policy = jsonb_set(policy, '{rules}', (policy->'rules') || jsonb_build_array(jsonb_build_object(
  'resourceTypes', (SELECT jsonb_agg(t) FROM unnest(ARRAY['PaymentReconciliation', 'CodeSystem']) AS t
    WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(policy->'rules') AS rule
      WHERE rule->'resourceTypes' ? t AND rule->'interactions' ? 'read' AND NOT coalesce((rule->>'ownCompartment')::boolean, false))),
  'interactions', '["read", "search", "history"]'::jsonb)))
WHERE code = 'front-desk' AND jsonb_typeof(policy->'rules') = 'array'
  AND EXISTS (SELECT 1 FROM unnest(ARRAY['PaymentReconciliation', 'CodeSystem']) AS t
    WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(policy->'rules') AS rule
      WHERE rule->'resourceTypes' ? t AND rule->'interactions' ? 'read' AND NOT coalesce((rule->>'ownCompartment')::boolean, false)));
`;
