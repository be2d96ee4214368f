import { describe, expect, it } from 'vitest';
import { validateResource } from '@unichart/fhir';
import { buildAuditRecord, entryHash, OAUTH_CLIENT_SYSTEM, renderAuditEvent } from './audit-record.js';

const nurse = { accountId: '8a1c5c52-0000-4000-8000-000000000001', who: 'Practitioner/p1', name: 'Nurse Joy', role: 'nurse' };

describe('audit records', () => {
  it('are valid FHIR AuditEvents naming who, what, when, where and the outcome', () => {
    const record = buildAuditRecord({ kind: 'read', agent: nurse, outcome: 'success', entity: 'Observation/o1', patients: ['123'], sourceAddress: '10.0.0.7' }, new Date('2026-11-26T10:00:00Z'));
    const event = JSON.parse(record.content);
    expect(() => validateResource(event)).not.toThrow();
    expect(event.action).toBe('R');
    expect(event.recorded).toBe('2026-11-26T10:00:00.000Z');
    expect(event.agent[0].who.reference).toBe('Practitioner/p1');
    expect(event.agent[0].network.address).toBe('10.0.0.7');
    expect(event.entity.map((e: any) => e.what?.reference)).toEqual(['Observation/o1', 'Patient/123']);
    expect(record.patients).toEqual(['123']);
  });

  it('record searches with their query and denials with outcome 4', () => {
    const search = buildAuditRecord({ kind: 'search', agent: nurse, outcome: 'success', query: 'Observation?code=1234' });
    expect(JSON.parse(search.content).entity[0].description).toBe('Observation?code=1234');
    expect(search.entity).toBe('Observation');
    const denied = buildAuditRecord({ kind: 'access-denied', agent: nurse, outcome: 'denied', entity: 'Patient/9', description: 'may not read' });
    const event = JSON.parse(denied.content);
    expect(event.outcome).toBe('4');
    expect(event.type.code).toBe('110113');
    expect(() => validateResource(event)).not.toThrow();
  });

  it('mark emergency access with its reason', () => {
    const record = buildAuditRecord({ kind: 'emergency-access', agent: nurse, outcome: 'success', entity: 'Patient/9', reason: 'unconscious in ED' });
    expect(JSON.parse(record.content).purposeOfEvent[0].text).toBe('unconscious in ED');
  });

  it('name the app (OAuth client) a person acted through', () => {
    const app = { clientId: '0b6b7c52-0000-4000-8000-000000000002', name: 'Heart rate viewer' };
    const record = buildAuditRecord({ kind: 'search', agent: { ...nurse, app }, outcome: 'success', query: 'Observation' });
    const event = JSON.parse(record.content);
    expect(() => validateResource(event)).not.toThrow();
    expect(event.agent).toHaveLength(2);
    expect(event.agent[0].requestor).toBe(true);
    expect(event.agent[1]).toMatchObject({ requestor: false, who: { identifier: { system: OAUTH_CLIENT_SYSTEM, value: app.clientId }, display: 'Heart rate viewer' } });
    expect(event.agent[1].type.coding[0].code).toBe('110150');
  });

  it('keep what a read returned beside the event and name it when served, sealed with the entry', () => {
    const touched = Array.from({ length: 60 }, (_, i) => `Observation/o${i}`);
    const record = buildAuditRecord({ kind: 'read', agent: nurse, outcome: 'success', entity: 'Observation/o0' }, new Date(), touched.join(' '));
    expect(record.content).not.toContain('Observation/o1"');
    const served = JSON.parse(renderAuditEvent(record.content, touched, true));
    expect(() => validateResource(served)).not.toThrow();
    const named = served.entity.map((e: any) => e.what?.reference);
    // The main entity once, then the first 50 others.
    expect(named).toEqual(['Observation/o0', ...touched.slice(1, 51)]);
    expect(record.entryHash).toBe(entryHash(record.content, touched.join(' ')));
    expect(record.entryHash).not.toBe(entryHash(record.content, touched.slice(1).join(' ')));
    // An entry from before the digest holds everything in its content and is served as stored.
    expect(renderAuditEvent(record.content, touched, false)).toBe(record.content);
  });
});
