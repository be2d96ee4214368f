import { createHmac } from 'node:crypto';
import { badRequest, type SearchRequest } from '@unichart/fhir';
import type { Identifier, Resource } from '@medplum/fhirtypes';
import type { FieldEncryption } from './field-encryption.js';

export const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';
/** US state driver's licence numbering systems (HL7's OID root for them, one arc per state). */
const DRIVERS_LICENCE_SYSTEM_PREFIX = 'urn:oid:2.16.840.1.113883.4.3.';
const IDENTIFIER_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0203';
/** Where the ciphertext of a sensitive identifier is kept in storage (never sent to clients). */
export const ENCRYPTED_VALUE_URL = 'https://unichart.dev/fhir/StructureDefinition/encrypted-value';
/** Stored in place of the value, so the index holds this keyed hash and never the number. */
const TOKEN_PREFIX = 'hmac:';
const PROTECTED_TYPES = new Set(['Patient', 'RelatedPerson']);

/** SSN, or driver's licence by system or by identifier type (v2-0203 SS / DL). */
export function isSensitiveIdentifier(identifier: Identifier): boolean {
  if (identifier.system && isSensitiveSystem(identifier.system)) return true;
  return Boolean(identifier.type?.coding?.some((c) => c.system === IDENTIFIER_TYPE_SYSTEM && (c.code === 'SS' || c.code === 'DL')));
}

function isSensitiveSystem(system: string): boolean {
  return system === SSN_SYSTEM || system.startsWith(DRIVERS_LICENCE_SYSTEM_PREFIX);
}

/** The same number however it is typed: SSNs by their digits, licences without spaces or dashes, upper case. */
function normalise(system: string | undefined, value: string): string {
  return system === SSN_SYSTEM ? value.replace(/\D/g, '') : value.replace(/[\s-]/g, '').toUpperCase();
}

/** The last four characters, the rest starred: `***-**-6789` for an SSN. */
export function maskIdentifier(system: string | undefined, value: string): string {
  const plain = normalise(system, value);
  const last = plain.slice(-4);
  if (system === SSN_SYSTEM && plain.length === 9) return `***-**-${last}`;
  return `${'*'.repeat(Math.max(plain.length - 4, 4))}${last}`;
}

const isMasked = (value: string) => value.includes('*');

/**
 * Field-level protection of sensitive identifiers on Patient and RelatedPerson. In storage the
 * identifier's value is a keyed hash (so `identifier=system|value` still finds it through the
 * ordinary index) and the number itself sits AES-256-GCM encrypted in an extension. Responses
 * get it back in full or masked, by the caller's role.
 */
export class SensitiveIdentifiers {
  constructor(
    private readonly encryption: FieldEncryption,
    private readonly indexKey: Buffer,
  ) {}

  token(system: string | undefined, value: string): string {
    return TOKEN_PREFIX + createHmac('sha256', this.indexKey).update(`${system ?? ''}|${normalise(system, value)}`).digest('base64url');
  }

  /**
   * The storage form of a resource about to be written. A masked value sent back unchanged (by
   * someone who only ever saw it masked) keeps the number stored before, never the mask.
   */
  protect<T extends Resource>(resource: T, previous?: Resource): T {
    if (!PROTECTED_TYPES.has(resource.resourceType)) return resource;
    const identifiers = (resource as { identifier?: Identifier[] }).identifier;
    if (!identifiers?.some(isSensitiveIdentifier)) return resource;
    const before = (previous as { identifier?: Identifier[] } | undefined)?.identifier ?? [];
    const identifier = identifiers.map((id, index) => (isSensitiveIdentifier(id) ? this.protectOne(id, index, before) : id));
    return { ...resource, identifier };
  }

  private protectOne(identifier: Identifier, index: number, before: readonly Identifier[]): Identifier {
    const value = identifier.value;
    if (value === undefined) return identifier;
    const sealed = identifier.extension?.find((e) => e.url === ENCRYPTED_VALUE_URL)?.valueString;
    if (sealed && value.startsWith(TOKEN_PREFIX)) {
      // Already in storage form (a JSON Patch of the stored resource): only move it to the current key.
      return this.encryption.needsRotation(sealed) ? this.seal(identifier, this.encryption.decrypt(sealed)) : identifier;
    }
    if (isMasked(value)) {
      const kept = before.find((b) => b.system === identifier.system && b.value?.startsWith(TOKEN_PREFIX)) ?? before[index];
      if (kept?.value?.startsWith(TOKEN_PREFIX)) return { ...identifier, value: kept.value, extension: kept.extension };
      throw badRequest(`A sensitive identifier (${identifier.system ?? 'SSN or licence'}) must be sent in full, not masked`, 'identifier.value');
    }
    return this.seal(identifier, value);
  }

  private seal(identifier: Identifier, plain: string): Identifier {
    const extension = [...(identifier.extension ?? []).filter((e) => e.url !== ENCRYPTED_VALUE_URL), { url: ENCRYPTED_VALUE_URL, valueString: this.encryption.encrypt(plain) }];
    return { ...identifier, value: this.token(identifier.system, plain), extension };
  }

  /** A search for `identifier=<ssn system>|<number>` looks for the number's token instead. */
  searchRequest(request: SearchRequest): SearchRequest {
    if (!PROTECTED_TYPES.has(request.resourceType) || !request.filters.some((f) => f.key === 'identifier')) return request;
    const filters = request.filters.map((filter) => {
      if (filter.key !== 'identifier') return filter;
      const values = filter.values.map((value) => {
        const bar = value.indexOf('|');
        const system = bar > 0 ? value.slice(0, bar) : undefined;
        return system && isSensitiveSystem(system) && value.length > bar + 1 ? `${system}|${this.token(system, value.slice(bar + 1))}` : value;
      });
      return { ...filter, values };
    });
    return { ...request, filters };
  }

  /**
   * A response body with every stored sensitive identifier turned back into its number (full)
   * or its masked form. Bodies without any pass through untouched, unparsed.
   */
  reveal(body: string, full: boolean): string {
    if (!body.includes(ENCRYPTED_VALUE_URL)) return body;
    return JSON.stringify(JSON.parse(body, (_key, value: unknown) => (isSealedIdentifier(value) ? this.revealOne(value, full) : value)));
  }

  private revealOne(identifier: Identifier, full: boolean): Identifier {
    const sealed = identifier.extension!.find((e) => e.url === ENCRYPTED_VALUE_URL)!.valueString!;
    let plain: string | undefined;
    try {
      plain = this.encryption.decrypt(sealed);
    } catch {
      // A key no longer configured: show that something is there, never the ciphertext.
      plain = undefined;
    }
    const extension = identifier.extension!.filter((e) => e.url !== ENCRYPTED_VALUE_URL);
    const { extension: _dropped, ...rest } = identifier;
    const value = plain === undefined ? '****' : full ? plain : maskIdentifier(identifier.system, plain);
    return { ...rest, ...(extension.length ? { extension } : {}), value };
  }
}

function isSealedIdentifier(value: unknown): value is Identifier {
  const candidate = value as Identifier | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.value === 'string' &&
    candidate.value.startsWith(TOKEN_PREFIX) &&
    Array.isArray(candidate.extension) &&
    candidate.extension.some((e) => e.url === ENCRYPTED_VALUE_URL && typeof e.valueString === 'string')
  );
}
