import { badRequest, FhirError, parseSearchRequest } from '@unichart/fhir';
import type { Patient, PatientLink, Provenance, Resource } from '@medplum/fhirtypes';
import type { RepositoryTransaction } from '../fhir/repository.js';

/**
 * Merging a duplicate patient record into the one that stays: every resource that refers to
 * the duplicate (its whole compartment) is moved to the survivor, the duplicate is kept,
 * inactive, `replaced-by` the survivor, and a Provenance records exactly what moved, so the
 * merge can be undone. All of it in the caller's one transaction.
 */
export const MERGE_ACTIVITY = { system: 'https://unichart.dev/fhir/CodeSystem/record-activity', code: 'merge', display: 'Patient records merged' };
export const UNMERGE_ACTIVITY = { system: 'https://unichart.dev/fhir/CodeSystem/record-activity', code: 'unmerge', display: 'Patient merge undone' };

/** Who did it, as a Provenance names them. */
export type ProvenanceAgent = Provenance['agent'][number]['who'];

export interface MergeResult {
  readonly survivor: Patient;
  readonly duplicate: Patient;
  readonly moved: string[];
  readonly provenance: Provenance;
}

export async function mergePatients(tx: RepositoryTransaction, duplicateId: string, survivorId: string, who: ProvenanceAgent | undefined): Promise<MergeResult> {
  if (duplicateId === survivorId) throw badRequest('A patient cannot be merged into itself', 'target-patient');
  const duplicate = await readPatient(tx, duplicateId);
  const survivor = await readPatient(tx, survivorId);
  if (duplicate.link?.some((l) => l.type === 'replaced-by')) throw new FhirError(409, 'conflict', `Patient/${duplicateId} has already been merged into another record`);
  if (survivor.link?.some((l) => l.type === 'replaced-by')) throw new FhirError(409, 'conflict', `Patient/${survivorId} was itself merged away; merge into the record that replaced it`);

  const from = `Patient/${duplicateId}`;
  const to = `Patient/${survivorId}`;
  const moved: string[] = [];
  for (const ref of await tx.referencing('Patient', duplicateId)) {
    if (ref.resourceType === 'Patient' && (ref.id === duplicateId || ref.id === survivorId)) continue;
    const current = JSON.parse((await tx.read(ref.resourceType, ref.id)).content!) as Resource;
    const rewritten = replaceReferences(current, from, to);
    if (!rewritten.changed) continue;
    const written = await tx.update(rewritten.value);
    moved.push(`${ref.resourceType}/${ref.id}/_history/${written.resource.meta!.versionId}`);
  }

  const survivorLinks: PatientLink[] = [...(survivor.link ?? []), { other: { reference: from }, type: 'replaces' }];
  // The duplicate's identifiers (its MRN among them) keep finding the patient, marked as old.
  const carried = (duplicate.identifier ?? [])
    .filter((i) => !(survivor.identifier ?? []).some((s) => s.system === i.system && s.value === i.value))
    .map((i) => ({ ...i, use: 'old' as const }));
  const updatedSurvivor = (await tx.update({ ...survivor, link: survivorLinks, identifier: [...(survivor.identifier ?? []), ...carried] })).resource as Patient;
  const retired = (await tx.update({ ...duplicate, active: false, link: [...(duplicate.link ?? []), { other: { reference: to }, type: 'replaced-by' }] })).resource as Patient;

  const provenance = (
    await tx.create({
      resourceType: 'Provenance',
      target: [
        { reference: `${to}/_history/${updatedSurvivor.meta!.versionId}` },
        { reference: `${from}/_history/${retired.meta!.versionId}` },
        ...moved.map((reference) => ({ reference })),
      ],
      recorded: new Date().toISOString(),
      activity: { coding: [MERGE_ACTIVITY], text: MERGE_ACTIVITY.display },
      agent: [{ who: who ?? { display: 'Unichart' } }],
      entity: [{ role: 'source', what: { reference: from } }],
      // What the survivor gained, so an undo takes back exactly that.
      extension: carried.map((i) => ({ url: CARRIED_IDENTIFIER, valueIdentifier: i })),
    } satisfies Provenance)
  ).resource as Provenance;
  return { survivor: updatedSurvivor, duplicate: retired, moved: moved.map(withoutVersion), provenance };
}

const CARRIED_IDENTIFIER = 'https://unichart.dev/fhir/StructureDefinition/merge-carried-identifier';

/**
 * Undoes a merge from its Provenance: each moved resource gets the duplicate back in exactly
 * the places that pointed at it before the merge (later edits elsewhere are kept), the
 * duplicate is active again and the survivor loses the link and identifiers it gained.
 */
export async function unmergePatients(tx: RepositoryTransaction, provenanceId: string, who: ProvenanceAgent | undefined): Promise<{ restored: Patient; survivor: Patient; provenance: Provenance }> {
  const merge = JSON.parse((await tx.read('Provenance', provenanceId)).content!) as Provenance;
  if (!merge.activity?.coding?.some((c) => c.system === MERGE_ACTIVITY.system && c.code === MERGE_ACTIVITY.code)) {
    throw badRequest(`Provenance/${provenanceId} does not record a patient merge`, 'provenance');
  }
  const undone = await tx.search(parseSearchRequest('Provenance', new URLSearchParams({ entity: `Provenance/${provenanceId}`, _count: '1' })));
  if (undone.matches.length > 0) throw new FhirError(409, 'conflict', `The merge recorded in Provenance/${provenanceId} has already been undone`);
  const [survivorRef, duplicateRef, ...movedRefs] = merge.target.map((t) => t.reference!);
  const survivorId = withoutVersion(survivorRef!).split('/')[1]!;
  const duplicateId = withoutVersion(duplicateRef!).split('/')[1]!;
  const survivorReference = `Patient/${survivorId}`;
  const duplicateReference = `Patient/${duplicateId}`;

  const restoredRefs: string[] = [];
  for (const versioned of movedRefs) {
    const [type, id, , version] = versioned.split('/');
    const before = JSON.parse((await tx.vread(type!, id!, String(Number(version) - 1))).content!) as Resource;
    const paths = referencePaths(before, duplicateReference);
    const current = JSON.parse((await tx.read(type!, id!)).content!) as Resource;
    const restored = setReferences(current, paths, duplicateReference, survivorReference);
    if (!restored.changed) continue;
    await tx.update(restored.value);
    restoredRefs.push(`${type}/${id}`);
  }

  const duplicate = await readPatient(tx, duplicateId);
  const survivor = await readPatient(tx, survivorId);
  const duplicateBefore = JSON.parse((await tx.vread('Patient', duplicateId, String(Number(duplicateRef!.split('/')[3]) - 1))).content!) as Patient;
  const duplicateLinks = (duplicate.link ?? []).filter((l) => !(l.type === 'replaced-by' && l.other.reference === survivorReference));
  const restored = (await tx.update({ ...duplicate, active: duplicateBefore.active, link: duplicateLinks.length ? duplicateLinks : undefined })).resource as Patient;
  const carried = (merge.extension ?? []).filter((e) => e.url === CARRIED_IDENTIFIER).map((e) => e.valueIdentifier!);
  const keptLinks = (survivor.link ?? []).filter((l) => !(l.type === 'replaces' && l.other.reference === duplicateReference));
  const keptIdentifiers = (survivor.identifier ?? []).filter((i) => !carried.some((c) => c.system === i.system && c.value === i.value && i.use === 'old'));
  const updatedSurvivor = (await tx.update({ ...survivor, link: keptLinks.length ? keptLinks : undefined, identifier: keptIdentifiers })).resource as Patient;
  const provenance = (
    await tx.create({
      resourceType: 'Provenance',
      target: [{ reference: duplicateReference }, { reference: survivorReference }, ...restoredRefs.map((reference) => ({ reference }))],
      recorded: new Date().toISOString(),
      activity: { coding: [UNMERGE_ACTIVITY], text: UNMERGE_ACTIVITY.display },
      agent: [{ who: who ?? { display: 'Unichart' } }],
      entity: [{ role: 'revision', what: { reference: `Provenance/${provenanceId}` } }],
    } satisfies Provenance)
  ).resource as Provenance;
  return { restored, survivor: updatedSurvivor, provenance };
}

async function readPatient(tx: RepositoryTransaction, id: string): Promise<Patient> {
  return JSON.parse((await tx.read('Patient', id)).content!) as Patient;
}

function withoutVersion(reference: string): string {
  return reference.replace(/\/_history\/[^/]+$/, '');
}

type Path = (string | number)[];

/** Where in a resource a reference points at `target` (relative or absolute). */
function referencePaths(resource: unknown, target: string): Path[] {
  const found: Path[] = [];
  const walk = (node: unknown, path: Path): void => {
    if (Array.isArray(node)) node.forEach((child, i) => walk(child, [...path, i]));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'reference' && typeof value === 'string' && pointsAt(value, target)) found.push([...path, key]);
        else walk(value, [...path, key]);
      }
    }
  };
  walk(resource, []);
  return found;
}

function pointsAt(reference: string, target: string): boolean {
  const bare = withoutVersion(reference);
  return bare === target || bare.endsWith(`/${target}`);
}

function replaceReferences<T extends Resource>(resource: T, from: string, to: string): { value: T; changed: boolean } {
  return setReferences(resource, referencePaths(resource, from), to, from);
}

/** Points the references at `paths` to `to`, where they still point at `expected`. */
function setReferences<T extends Resource>(resource: T, paths: Path[], to: string, expected: string): { value: T; changed: boolean } {
  const copy = structuredClone(resource) as unknown as Record<string | number, unknown>;
  let changed = false;
  for (const path of paths) {
    let node: Record<string | number, unknown> | undefined = copy;
    for (const step of path.slice(0, -1)) node = node?.[step] as Record<string | number, unknown> | undefined;
    const key = path[path.length - 1]!;
    if (node && typeof node[key] === 'string' && pointsAt(node[key], expected)) {
      node[key] = to;
      changed = true;
    }
  }
  return { value: copy as unknown as T, changed };
}
