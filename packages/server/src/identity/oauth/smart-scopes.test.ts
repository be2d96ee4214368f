import { describe, expect, it } from 'vitest';
import { anyPermits, describeScope, isCoveredBy, parseResourceScope, parseScopes } from './smart-scopes.js';

const permissions = (scope: string) => [...(parseResourceScope(scope)?.permissions ?? [])].sort().join('');

describe('SMART v1 scopes', () => {
  it('read means read and search', () => {
    expect(parseResourceScope('patient/*.read')).toMatchObject({ context: 'patient', resourceType: '*', version: 1 });
    expect(permissions('patient/*.read')).toBe('rs');
  });
  it('write means create, update and delete', () => expect(permissions('user/Observation.write')).toBe('cdu'));
  it('* means everything', () => expect(permissions('system/*.*')).toBe('cdrsu'));
  it('system context', () => expect(parseResourceScope('system/*.read')).toMatchObject({ context: 'system', resourceType: '*' }));
});

describe('SMART v2 scopes', () => {
  it('letters are the permissions', () => {
    expect(permissions('patient/Observation.rs')).toBe('rs');
    expect(permissions('user/*.cruds')).toBe('cdrsu');
    expect(parseResourceScope('patient/Observation.rs')?.version).toBe(2);
  });
  it('letters must be in c r u d s order, each once', () => {
    expect(parseResourceScope('patient/Observation.sr')).toBeUndefined();
    expect(parseResourceScope('patient/Observation.rrs')).toBeUndefined();
    expect(parseResourceScope('patient/Observation.x')).toBeUndefined();
  });
  it('a granular scope keeps its query and grants nothing it cannot enforce', () => {
    const scope = parseResourceScope('patient/Observation.rs?category=laboratory')!;
    expect(scope.query).toBe('category=laboratory');
    expect(anyPermits([scope], 'patient', 'Observation', 'r')).toBe(false);
  });
  it('v1 words do not take a query', () => expect(parseResourceScope('patient/Observation.read?code=1')).toBeUndefined());
});

describe('malformed scopes', () => {
  it.each(['patient/observation.read', 'staff/*.read', 'patient/*', 'patient/.rs', 'Observation.read', ''])('%s is not a resource scope', (scope) => {
    expect(parseResourceScope(scope)).toBeUndefined();
  });
});

describe('parseScopes', () => {
  it('sorts resource scopes, known others and unknown ones', () => {
    const parsed = parseScopes('openid fhirUser launch/patient patient/Observation.rs offline_access made-up  patient/Observation.rs');
    expect(parsed.resources.map((r) => r.scope)).toEqual(['patient/Observation.rs']);
    expect([...parsed.others].sort()).toEqual(['fhirUser', 'launch/patient', 'offline_access', 'openid']);
    expect(parsed.unknown).toEqual(['made-up']);
  });
  it('takes nothing', () => expect(parseScopes(undefined).resources).toEqual([]));
});

describe('anyPermits', () => {
  const scopes = parseScopes('patient/Observation.rs user/Patient.r').resources;
  it('matches context, type and permission', () => {
    expect(anyPermits(scopes, 'patient', 'Observation', 's')).toBe(true);
    expect(anyPermits(scopes, 'patient', 'Observation', 'c')).toBe(false);
    expect(anyPermits(scopes, 'patient', 'Condition', 'r')).toBe(false);
    expect(anyPermits(scopes, 'user', 'Observation', 'r')).toBe(false);
    expect(anyPermits(scopes, 'user', 'Patient', 'r')).toBe(true);
  });
  it('a wildcard type covers every type', () => expect(anyPermits(parseScopes('system/*.read').resources, 'system', 'Encounter', 's')).toBe(true));
});

describe('isCoveredBy (what an administrator allowed an app)', () => {
  const ceiling = parseScopes('patient/*.read user/Observation.rs').resources;
  it('a narrower scope in the same context is covered', () => {
    expect(isCoveredBy(parseResourceScope('patient/Observation.rs')!, ceiling)).toBe(true);
    expect(isCoveredBy(parseResourceScope('user/Observation.r')!, ceiling)).toBe(true);
  });
  it('more permissions or another context are not', () => {
    expect(isCoveredBy(parseResourceScope('patient/Observation.cruds')!, ceiling)).toBe(false);
    expect(isCoveredBy(parseResourceScope('user/Condition.rs')!, ceiling)).toBe(false);
    expect(isCoveredBy(parseResourceScope('system/Observation.rs')!, ceiling)).toBe(false);
  });
});

describe('describeScope', () => {
  it('says what a person grants', () => {
    expect(describeScope('patient/Observation.rs')).toBe('Read and search Observation records of the selected patient');
    expect(describeScope('user/*.cruds')).toBe('Create, read, update, delete and search all kinds of records you can access');
    expect(describeScope('offline_access')).toMatch(/not using Unichart/);
  });
});
