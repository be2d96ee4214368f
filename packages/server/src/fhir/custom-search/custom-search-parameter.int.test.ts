import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../test-support/test-database.js';

const env = useTestServer();

const COLOUR = 'http://example.org/fhir/StructureDefinition/favourite-colour';
const patientWithColour = (family: string, colour: string) => ({
  resourceType: 'Patient',
  name: [{ family }],
  extension: [{ url: COLOUR, valueString: colour }],
});
const colourParameter = {
  resourceType: 'SearchParameter',
  url: 'http://example.org/fhir/SearchParameter/patient-favourite-colour',
  name: 'favourite-colour',
  status: 'active',
  description: 'The colour a patient likes best',
  code: 'favourite-colour',
  base: ['Patient'],
  type: 'string',
  expression: `Patient.extension.where(url='${COLOUR}').value`,
};

async function waitForTask(focus: string): Promise<any> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const tasks = await env.server.fhir('GET', `Task?focus=${focus}`);
    const task = tasks.body.entry?.[0]?.resource;
    if (task && task.status !== 'in-progress') return task;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Task for ${focus} did not finish`);
}

describe("a practice's own search parameter", () => {
  it('indexes the resources stored before it existed, reports progress as a Task, and indexes new ones at once', async () => {
    const families = ['Amber', 'Azure', 'Crimson'];
    for (const [i, colour] of ['amber', 'azure', 'crimson'].entries()) await env.server.fhir('POST', 'Patient', patientWithColour(families[i]!, colour));

    const unknownYet = await env.server.fhir('GET', 'Patient?favourite-colour=a');
    expect(unknownYet.status).toBe(400);

    const created = await env.server.fhir('POST', 'SearchParameter', colourParameter);
    expect(created.status).toBe(201);
    const task = await waitForTask(`SearchParameter/${created.body.id}`);
    expect(task.status).toBe('completed');
    expect(task.output.find((o: any) => o.type.text === 'resources indexed').valueInteger).toBe(3);

    const startsWithA = await env.server.fhir('GET', 'Patient?favourite-colour=a');
    expect(startsWithA.body.entry.map((e: any) => e.resource.name[0].family).sort()).toEqual(['Amber', 'Azure']);

    await env.server.fhir('POST', 'Patient', patientWithColour('Aqua', 'aquamarine'));
    const afterNew = await env.server.fhir('GET', 'Patient?favourite-colour=aqua');
    expect(afterNew.body.entry.map((e: any) => e.resource.name[0].family)).toEqual(['Aqua']);

    const metadata = await env.server.fhir('GET', 'metadata');
    const patientCaps = metadata.body.rest[0].resource.find((r: any) => r.type === 'Patient');
    expect(patientCaps.searchParam.map((p: any) => p.name)).toContain('favourite-colour');
  });

  it('refuses a definition it could not index, naming the problem', async () => {
    const badExpression = await env.server.fhir('POST', 'SearchParameter', { ...colourParameter, code: 'broken', expression: 'Patient.name.where(' });
    expect(badExpression.status).toBe(400);
    expect(badExpression.body.issue[0].expression).toEqual(['SearchParameter.expression']);
    const taken = await env.server.fhir('POST', 'SearchParameter', { ...colourParameter, code: 'name', expression: 'Patient.name' });
    expect(taken.status).toBe(400);
    expect(taken.body.issue[0].diagnostics).toContain('already has');
    const composite = await env.server.fhir('POST', 'SearchParameter', { ...colourParameter, code: 'pair', type: 'composite' });
    expect(composite.status).toBe(400);
  });
});
