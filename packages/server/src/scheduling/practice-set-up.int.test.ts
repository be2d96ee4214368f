import type { Bundle, CodeSystem, Slot } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../test-support/test-database.js';
import { APPOINTMENT_TYPE_SYSTEM } from './appointment-types.js';
import { AVAILABILITY_URL, TIMEZONE_URL } from './availability.js';

// Monday 4 March 2030, 08:00 UTC.
const NOW = new Date('2030-03-04T08:00:00Z');
const env = useTestServer({ scheduling: { defaultTimeZone: 'UTC', now: () => NOW } });

const created = async (resourceType: string, resource: object): Promise<string> => {
  const response = await env.server.fhir('POST', resourceType, { resourceType, ...resource });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
};
const slots = (bundle: Bundle) => (bundle.entry ?? []).filter((e) => e.resource?.resourceType === 'Slot').map((e) => e.resource as Slot);

/** What the administrator's set-up screens write, as the front desk then meets it. */
describe('the administrator sets up appointment types, hours and leave through the FHIR API', () => {
  it('adds a type the front desk can read and book, but not change', async () => {
    const site = await created('Location', { name: 'Main Street clinic', status: 'active' });
    const doctor = await created('Practitioner', { name: [{ family: 'Alvarez' }] });
    const schedule = {
      resourceType: 'Schedule',
      active: true,
      actor: [{ reference: `Practitioner/${doctor}` }, { reference: `Location/${site}` }],
      extension: [{ url: TIMEZONE_URL, valueCode: 'UTC' }, { url: AVAILABILITY_URL, extension: [{ url: 'daysOfWeek', valueCode: 'mon' }, { url: 'availableStartTime', valueTime: '09:00:00' }, { url: 'availableEndTime', valueTime: '12:00:00' }] }],
    };
    const scheduleId = await created('Schedule', schedule);
    const desk = await env.server.signInAs('front-desk');
    const find = async (type: string) => {
      const response = await desk.fhir('GET', `Appointment/$find?appointment-type=${type}&practitioner=${doctor}&start=2030-03-04T00:00:00Z&end=2030-03-05T00:00:00Z&_count=50`);
      return { status: response.status, slots: response.status === 200 ? slots(response.body) : [], body: response.body };
    };

    // Before the practice has its own types, an unknown one is refused in words.
    const unknown = await find('travel-vaccine');
    expect(unknown.status).toBe(400);
    expect(unknown.body.issue[0].diagnostics).toContain('Unknown appointment type travel-vaccine');

    const system: CodeSystem = {
      resourceType: 'CodeSystem',
      url: APPOINTMENT_TYPE_SYSTEM,
      status: 'active',
      content: 'complete',
      concept: [
        { code: 'follow-up', display: 'Follow-up', property: [{ code: 'duration', valueInteger: 20 }] },
        { code: 'travel-vaccine', display: 'Travel vaccine', property: [{ code: 'duration', valueInteger: 15 }] },
      ],
    };
    const systemId = await created('CodeSystem', system);
    const read = await desk.fhir('GET', `CodeSystem?url=${encodeURIComponent(APPOINTMENT_TYPE_SYSTEM)}`);
    expect(read.status).toBe(200);
    expect((read.body as Bundle).entry?.[0]?.resource?.id).toBe(systemId);
    expect((await desk.fhir('PUT', `CodeSystem/${systemId}`, { ...system, id: systemId, concept: [] })).status).toBe(403);

    // At once (the scheduling cache drops on the write): 09:00–12:00 in 15-minute visits.
    const vaccine = await find('travel-vaccine');
    expect(vaccine.slots).toHaveLength(12);
    expect(vaccine.slots[0]).toMatchObject({ start: '2030-03-04T09:00:00.000Z', end: '2030-03-04T09:15:00.000Z' });

    // The morning extended to 12:30, then the day taken as leave: nothing is offered that day.
    const longer = { ...schedule, id: scheduleId, extension: [schedule.extension[0]!, { url: AVAILABILITY_URL, extension: [{ url: 'daysOfWeek', valueCode: 'mon' }, { url: 'availableStartTime', valueTime: '09:00:00' }, { url: 'availableEndTime', valueTime: '12:30:00' }] }] };
    expect((await env.server.fhir('PUT', `Schedule/${scheduleId}`, longer)).status).toBe(200);
    expect((await find('travel-vaccine')).slots).toHaveLength(14);
    await created('Slot', { schedule: { reference: `Schedule/${scheduleId}` }, status: 'busy-unavailable', start: '2030-03-04T00:00:00.000Z', end: '2030-03-05T00:00:00.000Z', comment: 'Conference' });
    expect((await find('travel-vaccine')).slots).toEqual([]);
  });

  it('refuses weekly hours that end before they start, naming the element', async () => {
    const doctor = await created('Practitioner', { name: [{ family: 'Berg' }] });
    const backwards = await env.server.fhir('POST', 'Schedule', {
      resourceType: 'Schedule',
      actor: [{ reference: `Practitioner/${doctor}` }],
      extension: [{ url: AVAILABILITY_URL, extension: [{ url: 'daysOfWeek', valueCode: 'tue' }, { url: 'availableStartTime', valueTime: '13:00:00' }, { url: 'availableEndTime', valueTime: '09:00:00' }] }],
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.issue[0].diagnostics).toBe('An availability block must end after it starts');
  });
});
