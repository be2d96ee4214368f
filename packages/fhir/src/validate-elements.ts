import { getDataType, tryGetDataType, type InternalSchemaElement, type InternalTypeSchema } from '@medplum/core';
import { parseFhirDateRange } from './fhir-date.js';
import { badRequest } from './outcome.js';
import { valueSetCodes } from './value-sets.js';

type Json = Record<string, unknown>;

const DATE_TYPES = new Set(['date', 'dateTime', 'instant']);

/** Resources whose own start and end must be in order (a Period's are checked wherever it appears). */
const TIMED_RESOURCES = new Set(['Appointment', 'Slot']);

/**
 * What the structural validator leaves out: codes outside a required ValueSet, references to
 * a resource type the element does not allow, dates that do not exist on the calendar
 * (2026-02-30), and ends before starts.
 */
export function checkBindingsAndReferences(resource: Json): void {
  const type = resource.resourceType as string;
  walk(resource, getDataType(type), type);
  if (TIMED_RESOURCES.has(type)) checkOrder(resource, type, true);
}

function walk(node: Json, schema: InternalTypeSchema, path: string): void {
  for (const [key, value] of Object.entries(node)) {
    if (key === 'resourceType' || key.startsWith('_') || value === undefined) continue;
    const match = findElement(schema, key);
    if (!match) continue;
    const { element, typeCode } = match;
    const values = Array.isArray(value) ? value : [value];
    values.forEach((v, i) => {
      const at = `${path}.${key}${Array.isArray(value) ? `[${i}]` : ''}`;
      if (typeCode === 'code' && typeof v === 'string') checkCode(element, v, at);
      else if (DATE_TYPES.has(typeCode) && typeof v === 'string') checkDate(v, at);
      else if (typeCode === 'Reference' && v && typeof v === 'object') checkReference(element, v as Json, at);
      else if (v && typeof v === 'object') {
        const inner = typeCode === 'Resource' ? (v as Json).resourceType : typeCode;
        const innerSchema = typeof inner === 'string' ? tryGetDataType(inner) : undefined;
        if (innerSchema) walk(v as Json, innerSchema, at);
        if (typeCode === 'Period') checkOrder(v as Json, at, false);
      }
    });
  }
}

function findElement(schema: InternalTypeSchema, key: string): { element: InternalSchemaElement; typeCode: string } | undefined {
  const direct = schema.elements[key];
  if (direct) return { element: direct, typeCode: direct.type[0]?.code ?? '' };
  for (const [name, element] of Object.entries(schema.elements)) {
    if (!name.endsWith('[x]')) continue;
    const base = name.slice(0, -3);
    if (!key.startsWith(base)) continue;
    const suffix = key.slice(base.length);
    const t = element.type.find((candidate) => candidate.code.toLowerCase() === suffix.toLowerCase());
    if (t) return { element, typeCode: t.code };
  }
  return undefined;
}

function checkCode(element: InternalSchemaElement, code: string, path: string): void {
  const binding = element.binding;
  if (binding?.strength !== 'required' || !binding.valueSet) return;
  const codes = valueSetCodes(binding.valueSet);
  if (codes && !codes.has(code)) {
    throw badRequest(`"${code}" is not a valid code here (allowed: ${[...codes].slice(0, 12).join(', ')}${codes.size > 12 ? ', …' : ''})`, path);
  }
}

/** A relative reference: Type/id, optionally with a version (conditional ones are resolved before validation). */
const RELATIVE_REFERENCE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

function checkReference(element: InternalSchemaElement, ref: Json, path: string): void {
  const reference = ref.reference;
  if (typeof reference !== 'string' || reference.startsWith('#') || reference.startsWith('urn:')) return;
  if (!reference.includes(':') && !reference.includes('?') && !RELATIVE_REFERENCE.test(reference)) {
    throw badRequest(`"${reference}" is not a reference: write Type/id, such as Patient/123`, `${path}.reference`);
  }
  const profiles = element.type.find((t) => t.code === 'Reference')?.targetProfile;
  if (!profiles?.length) return;
  const allowed = profiles.map((p) => p.split('/').pop()!);
  if (allowed.includes('Resource')) return;
  const type = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^/]+)?$/.exec(reference)?.[1];
  if (type && !allowed.includes(type)) {
    throw badRequest(`A reference to ${type} is not allowed here (allowed: ${allowed.join(', ')})`, path);
  }
}

function checkDate(value: string, path: string): void {
  if (!parseFhirDateRange(value)) throw badRequest(`"${value}" is not a real date or time`, path);
}

/** FHIR's per-1: a start no later than the end. An appointment must also take some time. */
function checkOrder(node: Json, path: string, strictly: boolean): void {
  if (typeof node.start !== 'string' || typeof node.end !== 'string') return;
  const start = parseFhirDateRange(node.start);
  const end = parseFhirDateRange(node.end);
  if (!start || !end) return;
  const inOrder = strictly ? end.low > start.low : end.high > start.low;
  if (!inOrder) throw badRequest(`The end (${node.end}) must be after the start (${node.start})`, `${path}.end`);
}
