/**
 * The patients a restricted person may reach, per resource type: a clinician held to their care
 * team, an outside provider held to what was shared with them. PolicyAccess confines patient
 * data to the compartments of these patients.
 */
export interface PatientReach {
  patientsFor(resourceType: string): readonly string[];
}
