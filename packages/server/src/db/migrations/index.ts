import * as recordStore from './001-record-store.js';
import * as rowLevelSecurity from './002-row-level-security.js';
import * as identity from './003-identity.js';
import * as audit from './004-audit.js';
import * as oauth from './005-oauth.js';
import * as appointmentBooking from './006-appointment-booking.js';
import * as medicalRecordNumber from './007-medical-record-number.js';
import * as jobQueue from './008-job-queue.js';
import * as singleSignOn from './009-single-sign-on.js';
import * as security from './010-security.js';
import * as auditStorage from './011-audit-storage.js';
import * as totpReplay from './012-totp-replay.js';
import * as portalAppointments from './013-portal-appointments.js';
import * as dataImport from './014-data-import.js';
import * as adminAccess from './015-admin-access.js';
import * as auditAgentWho from './016-audit-agent-who.js';
import * as auditEntryHash from './017-audit-entry-hash.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** In order; a released migration is never edited, only followed by a new one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'record-store', sql: recordStore.sql },
  { version: 2, name: 'row-level-security', sql: rowLevelSecurity.sql },
  { version: 3, name: 'identity', sql: identity.sql },
  { version: 4, name: 'audit', sql: audit.sql },
  { version: 5, name: 'oauth', sql: oauth.sql },
  { version: 6, name: 'appointment-booking', sql: appointmentBooking.sql },
  { version: 7, name: 'medical-record-number', sql: medicalRecordNumber.sql },
  { version: 8, name: 'job-queue', sql: jobQueue.sql },
  { version: 9, name: 'single-sign-on', sql: singleSignOn.sql },
  { version: 10, name: 'security', sql: security.sql },
  { version: 11, name: 'audit-storage', sql: auditStorage.sql },
  { version: 12, name: 'totp-replay', sql: totpReplay.sql },
  { version: 13, name: 'portal-appointments', sql: portalAppointments.sql },
  { version: 14, name: 'data-import', sql: dataImport.sql },
  { version: 15, name: 'admin-access', sql: adminAccess.sql },
  { version: 16, name: 'audit-agent-who', sql: auditAgentWho.sql },
  { version: 17, name: 'audit-entry-hash', sql: auditEntryHash.sql },
];
