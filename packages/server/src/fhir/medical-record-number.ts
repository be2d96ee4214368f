import type { Identifier, Patient, Resource } from '@medplum/fhirtypes';
import type { SqlClient } from '../db/database.js';

/**
 * Every Patient of a practice carries the practice's medical record number, assigned when the
 * record is created however it arrives (registration, the API, a Bundle, an import), so the
 * front desk, the chart, the claim and the portal all show the same number. Numbers come from
 * one database sequence: unique, never reused, with gaps where a write was rolled back.
 */
export function medicalRecordNumberSystem(tenantId: string): string {
  return `https://unichart.dev/fhir/practice/${tenantId}/mrn`;
}

const MR_TYPE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical record number' }], text: 'MRN' };

export function lacksMedicalRecordNumber(resource: Resource, tenantId: string): resource is Patient {
  if (resource.resourceType !== 'Patient') return false;
  const system = medicalRecordNumberSystem(tenantId);
  return !(resource.identifier ?? []).some((i) => i.system === system && i.value);
}

/** Numbers for `count` new patients, in one round trip. */
export async function nextMedicalRecordNumbers(sql: SqlClient, count: number): Promise<string[]> {
  const rows = await sql.query<{ n: string }>("SELECT nextval('medical_record_number')::text AS n FROM generate_series(1, $1::int)", [count]);
  return rows.map((r) => r.n);
}

export function withMedicalRecordNumber(patient: Patient, tenantId: string, value: string): Patient {
  const identifier: Identifier = { use: 'usual', type: MR_TYPE, system: medicalRecordNumberSystem(tenantId), value };
  return { ...patient, identifier: [identifier, ...(patient.identifier ?? [])] };
}
