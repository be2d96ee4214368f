import { getDataType, tryGetDataType, type InternalSchemaElement, type InternalTypeSchema } from '@medplum/core';
import { badRequest } from './outcome.js';
import { valueSetCodes } from './value-sets.js';

type Json = Record<string, unknown>;

/**
 * What the structural validator leaves out: codes outside a required ValueSet, and
 * references to a resource type the element does not allow.
 */
export function checkBindingsAndReferences(resource: Json): void {
  const type = resource.resourceType as string;
  walk(resource, getDataType(type), type);
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
      else if (typeCode === 'Reference' && v && typeof v === 'object') checkReference(element, v as Json, at);
      else if (v && typeof v === 'object') {
        const inner = typeCode === 'Resource' ? (v as Json).resourceType : typeCode;
        const innerSchema = typeof inner === 'string' ? tryGetDataType(inner) : undefined;
        if (innerSchema) walk(v as Json, innerSchema, at);
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

function checkReference(element: InternalSchemaElement, ref: Json, path: string): void {
  const reference = ref.reference;
  if (typeof reference !== 'string' || reference.startsWith('#') || reference.startsWith('urn:')) return;
  const profiles = element.type.find((t) => t.code === 'Reference')?.targetProfile;
  if (!profiles?.length) return;
  const allowed = profiles.map((p) => p.split('/').pop()!);
  if (allowed.includes('Resource')) return;
  const type = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^/]+)?$/.exec(reference)?.[1];
  if (type && !allowed.includes(type)) {
    throw badRequest(`A reference to ${type} is not allowed here (allowed: ${allowed.join(', ')})`, path);
  }
}
