import { APP_ROLE } from '../database.js';

/** The source of medical record numbers (see fhir/medical-record-number.ts). */
export const sql = `
CREATE SEQUENCE medical_record_number START 100001;
GRANT USAGE ON SEQUENCE medical_record_number TO ${APP_ROLE};
`;
