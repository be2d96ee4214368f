import { APP_ROLE } from '../database.js';

/**
 * No double booking, refused by the database itself: every Appointment that holds time
 * (pending, booked, arrived, checked-in, fulfilled) puts one row per exclusive participant
 * (practitioner, practitioner role, device, and a Location that is a room or bed) into appointment_booking,
 * and an exclusion constraint refuses two overlapping rows for the same actor (SQLSTATE
 * 23P01). A trigger on the resource table keeps the rows, so every write path (REST, $book,
 * Bundles, imports, patches, deletes) is covered without the application remembering to.
 * Cancelled, no-show, proposed and waitlisted appointments, and declined participants, free
 * the time.
 */
const tenantFilter = `tenant_id = nullif(current_setting('app.tenant', true), '')::uuid`;

export const sql = `
CREATE TABLE appointment_booking (
  tenant_id uuid NOT NULL,
  appointment_id text NOT NULL,
  actor text NOT NULL,
  during tstzrange NOT NULL,
  CONSTRAINT appointment_booking_no_overlap EXCLUDE USING gist (tenant_id WITH =, actor WITH =, during WITH &&)
);
CREATE INDEX appointment_booking_appointment ON appointment_booking (tenant_id, appointment_id);

GRANT SELECT, INSERT, DELETE ON appointment_booking TO ${APP_ROLE};
ALTER TABLE appointment_booking ENABLE ROW LEVEL SECURITY;
CREATE POLICY appointment_booking_isolation ON appointment_booking USING (${tenantFilter}) WITH CHECK (${tenantFilter});

-- The time an Appointment holds, one row per exclusive actor (none when it holds no time).
-- A Location is exclusive only when it is a room or a bed: many practitioners see patients at
-- one clinic site at once.
CREATE FUNCTION unichart_appointment_holds(tenant uuid, doc jsonb) RETURNS TABLE (actor text, during tstzrange)
LANGUAGE sql STABLE AS $$
  SELECT DISTINCT a.ref, tstzrange((doc->>'start')::timestamptz, (doc->>'end')::timestamptz, '[)')
  FROM jsonb_array_elements(coalesce(doc->'participant', '[]'::jsonb)) AS p, LATERAL (SELECT p->'actor'->>'reference' AS ref) AS a
  WHERE coalesce(doc->>'status', '') IN ('pending', 'booked', 'arrived', 'checked-in', 'fulfilled')
    -- Validation refuses an end before the start; an appointment without both holds no time.
    AND (doc->>'start')::timestamptz < (doc->>'end')::timestamptz
    AND coalesce(p->>'status', '') <> 'declined'
    AND coalesce(p->>'required', '') <> 'information-only'
    AND (a.ref ~ '^(Practitioner|PractitionerRole|Device)/[A-Za-z0-9.-]{1,64}$'
      OR (a.ref ~ '^Location/[A-Za-z0-9.-]{1,64}$' AND EXISTS (
        SELECT 1 FROM resource l, jsonb_array_elements(coalesce(l.content::jsonb->'physicalType'->'coding', '[]'::jsonb)) AS c
        WHERE l.tenant_id = tenant AND l.resource_type = 'Location' AND l.id = substr(a.ref, 10) AND NOT l.deleted
          AND c->>'code' IN ('ro', 'bd'))))
$$;

CREATE FUNCTION unichart_keep_appointment_booking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM appointment_booking WHERE tenant_id = OLD.tenant_id AND appointment_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' AND NOT NEW.deleted THEN
    INSERT INTO appointment_booking (tenant_id, appointment_id, actor, during)
    SELECT NEW.tenant_id, NEW.id, h.actor, h.during FROM unichart_appointment_holds(NEW.tenant_id, NEW.content::jsonb) AS h;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER resource_appointment_booking_write
  AFTER INSERT OR UPDATE ON resource
  FOR EACH ROW WHEN (NEW.resource_type = 'Appointment')
  EXECUTE FUNCTION unichart_keep_appointment_booking();
CREATE TRIGGER resource_appointment_booking_delete
  AFTER DELETE ON resource
  FOR EACH ROW WHEN (OLD.resource_type = 'Appointment')
  EXECUTE FUNCTION unichart_keep_appointment_booking();

-- Appointments stored before this migration: the first of any overlapping pair keeps the time.
INSERT INTO appointment_booking (tenant_id, appointment_id, actor, during)
SELECT r.tenant_id, r.id, h.actor, h.during
FROM resource r, unichart_appointment_holds(r.tenant_id, r.content::jsonb) AS h
WHERE r.resource_type = 'Appointment' AND NOT r.deleted
ORDER BY r.last_updated
ON CONFLICT DO NOTHING;
`;
