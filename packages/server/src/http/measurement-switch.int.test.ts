import { describe, expect, it } from 'vitest';
import { useTestServer } from '../test-support/test-database.js';

// The benchmark's baseline (BENCH_SUITE=overhead) must really be without guards, or its ratio means nothing.
const env = useTestServer({ measurementWithoutGuards: true });

describe('the overhead benchmark switch', () => {
  it('turns off access checks and audit entries on the FHIR API, and nothing else', async () => {
    const biller = await env.server.signInAs('biller');
    const patient = await biller.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Unguarded' }] });
    expect(patient.status).toBe(201);
    const observation = await biller.fhir('POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'pulse' }, subject: { reference: `Patient/${patient.body.id}` } });
    expect(observation.status).toBe(201);
    expect((await biller.fhir('GET', `Observation?subject=Patient/${patient.body.id}`)).body.entry).toHaveLength(1);
    const events = await env.db.query<{ type: string }>(env.server.practice.id, "SELECT type FROM audit_event WHERE tenant_id = $1 AND type IN ('create', 'search', 'read')", [env.server.practice.id]);
    expect(events).toEqual([]);
    // Signing in is still required and still audited.
    expect((await env.server.request({ method: 'GET', url: '/fhir/R4/Patient' })).statusCode).toBe(401);
    expect((await env.db.query(env.server.practice.id, "SELECT 1 FROM audit_event WHERE tenant_id = $1 AND type = 'login'", [env.server.practice.id])).length).toBeGreaterThan(0);
  });
});
