import type { CodeSystem, CodeableConcept } from '@medplum/fhirtypes';

/**
 * A practice's appointment types and how long each takes. They are the practice's own
 * CodeSystem (this url), each concept with a `duration` property in minutes; a practice that
 * has not defined one gets the defaults below.
 */
export const APPOINTMENT_TYPE_SYSTEM = 'https://unichart.dev/fhir/CodeSystem/appointment-type';

export interface AppointmentType {
  readonly code: string;
  readonly display: string;
  readonly minutes: number;
}

export const DEFAULT_APPOINTMENT_TYPES: readonly AppointmentType[] = [
  { code: 'new-patient', display: 'New patient', minutes: 40 },
  { code: 'follow-up', display: 'Follow-up', minutes: 20 },
  { code: 'annual-physical', display: 'Annual physical', minutes: 40 },
  { code: 'telehealth', display: 'Telehealth visit', minutes: 20 },
  { code: 'procedure', display: 'Procedure', minutes: 60 },
];

export function appointmentTypesOf(codeSystem: CodeSystem | undefined): Map<string, AppointmentType> {
  const types = codeSystem
    ? (codeSystem.concept ?? []).flatMap((concept) => {
        const minutes = concept.property?.find((p) => p.code === 'duration')?.valueInteger;
        return minutes && minutes > 0 ? [{ code: concept.code, display: concept.display ?? concept.code, minutes }] : [];
      })
    : DEFAULT_APPOINTMENT_TYPES;
  return new Map(types.map((t) => [t.code, t]));
}

/** The practice's type code an Appointment.appointmentType names, if any. */
export function appointmentTypeCode(concept: CodeableConcept | undefined): string | undefined {
  return concept?.coding?.find((c) => c.system === APPOINTMENT_TYPE_SYSTEM)?.code;
}

export function appointmentTypeConcept(type: AppointmentType): CodeableConcept {
  return { coding: [{ system: APPOINTMENT_TYPE_SYSTEM, code: type.code, display: type.display }], text: type.display };
}
