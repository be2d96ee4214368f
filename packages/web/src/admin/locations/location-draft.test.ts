import type { Location } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { draftOf, locationOf, locationProblems, sitesWithRooms } from './location-draft.js';

const site: Location = {
  resourceType: 'Location',
  id: 'main',
  name: 'Main Street Clinic',
  status: 'active',
  mode: 'instance',
  identifier: [{ system: 'urn:x', value: '1' }],
  physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'bu' }] },
  telecom: [{ system: 'phone', value: '(413) 555-0100' }, { system: 'email', value: 'desk@example.org' }],
  address: { line: ['120 Main St'], city: 'Springfield', state: 'MA', postalCode: '01103', country: 'US' },
};
const room: Location = { resourceType: 'Location', id: 'r1', name: 'Exam 1', status: 'active', physicalType: { coding: [{ code: 'ro' }] }, partOf: { reference: 'Location/main' } };

describe('a room added to a site', () => {
  it('is a Location of physical type room, part of the site', () => {
    const draft = { ...draftOf(undefined, 'main'), name: ' Exam 4 ' };
    expect(draft.kind).toBe('ro');
    expect(locationProblems(draft)).toEqual({});
    expect(locationOf(draft, undefined, site)).toEqual({
      resourceType: 'Location',
      mode: 'instance',
      name: 'Exam 4',
      status: 'active',
      physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'ro', display: 'Room' }] },
      partOf: { reference: 'Location/main', display: 'Main Street Clinic' },
    });
  });

  it('needs its site and a name', () => {
    expect(locationProblems({ ...draftOf(undefined), kind: 'bd' })).toEqual({ name: 'Enter a name', siteId: 'Choose the site the room or bed is in' });
  });
});

describe('editing a site', () => {
  it('keeps what the form does not show and replaces what it does', () => {
    const draft = { ...draftOf(site), phone: '(413) 555-0199', active: false, line: '1 New St, Suite 2' };
    const saved = locationOf(draft, site, undefined);
    expect(saved.identifier).toEqual(site.identifier);
    expect(saved.status).toBe('inactive');
    expect(saved.telecom).toEqual([{ system: 'phone', value: '(413) 555-0199', use: 'work' }, { system: 'email', value: 'desk@example.org' }]);
    expect(saved.address).toEqual({ line: ['1 New St', 'Suite 2'], city: 'Springfield', state: 'MA', postalCode: '01103', country: 'US' });
    expect(saved.physicalType).toEqual(site.physicalType);
    expect(saved.partOf).toBeUndefined();
  });

  it('reads the draft back from the Location', () => {
    expect(draftOf(site)).toEqual({ name: 'Main Street Clinic', kind: 'site', siteId: '', active: true, phone: '(413) 555-0100', line: '120 Main St', city: 'Springfield', state: 'MA', postalCode: '01103' });
  });

  it('refuses a phone number with letters', () => expect(locationProblems({ ...draftOf(site), phone: 'call us' }).phone).toBeDefined());
});

describe('sitesWithRooms', () => {
  it('groups rooms under their site and lists rooms of a missing site apart', () => {
    const stray: Location = { ...room, id: 'r9', name: 'Old room', partOf: { reference: 'Location/gone' } };
    expect(sitesWithRooms([room, stray, site]).map((g) => [g.site?.id, g.rooms.map((r) => r.id)])).toEqual([
      ['main', ['r1']],
      [undefined, ['r9']],
    ]);
  });
});
