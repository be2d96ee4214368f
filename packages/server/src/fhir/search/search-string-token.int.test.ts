import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.js';
import { openTestDatabase } from '../../test-support/test-database.js';
import { expectBadRequest, matchIds, practiceWith, seed } from './search-test-support.js';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const MRN = 'http://hospital.example/mrn';

describe('string parameters', () => {
  const practice = practiceWith(() => db, [
    {
      resourceType: 'Patient',
      id: 'anna-mueller',
      name: [{ family: 'Müller', given: ['Anna'] }],
      address: [{ line: ['1 Main St'], city: 'Springfield', postalCode: '01101' }],
    },
    { resourceType: 'Patient', id: 'andreas-mullins', name: [{ family: 'Mullins', given: ['Andreas'] }], address: [{ city: 'Shelbyville' }] },
    { resourceType: 'Patient', id: 'john-smith', name: [{ family: 'Smith', given: ['John'] }] },
    { resourceType: 'Patient', id: 'john-q-adams', name: [{ family: 'Adams', given: ['John', 'Quincy'] }] },
    { resourceType: 'Patient', id: 'abbott-costello', name: [{ family: 'Abbott,Costello', given: ['Bud'] }] },
    { resourceType: 'Patient', id: 'nameless' },
  ]);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('matches the start of any name part by default (name=mull finds Müller and Mullins)', async () => {
    expect(await ids('Patient?name=mull')).toEqual(['andreas-mullins', 'anna-mueller']);
  });

  it('ignores case and accents (family=MÜLLER and family=muller find only Müller)', async () => {
    expect(await ids('Patient?family=MÜLLER')).toEqual(['anna-mueller']);
    expect(await ids('Patient?family=muller')).toEqual(['anna-mueller']);
  });

  it('does not match the middle of a word without :contains', async () => {
    expect(await ids('Patient?name=ller')).toEqual([]);
    expect(await ids('Patient?name:contains=ller')).toEqual(['anna-mueller']);
    expect(await ids('Patient?family:contains=LLIN')).toEqual(['andreas-mullins']);
  });

  it('finds a full name typed as "given family", given names in order', async () => {
    expect(await ids('Patient?name=john smith')).toEqual(['john-smith']);
    expect(await ids('Patient?name=john quincy ad')).toEqual(['john-q-adams']);
    expect(await ids('Patient?name=john adams')).toEqual([]);
    expect(await ids('Patient?given=quincy')).toEqual(['john-q-adams']);
    expect(await ids('Patient?name=john')).toEqual(['john-q-adams', 'john-smith']);
  });

  it(':exact compares the whole value, case and accents included', async () => {
    expect(await ids('Patient?family:exact=Müller')).toEqual(['anna-mueller']);
    expect(await ids('Patient?family:exact=müller')).toEqual([]);
    expect(await ids('Patient?family:exact=Muller')).toEqual([]);
    expect(await ids('Patient?family:exact=Mül')).toEqual([]);
  });

  it('a comma separates alternatives (OR); repeating the parameter requires both (AND)', async () => {
    expect(await ids('Patient?family=smith,mullins')).toEqual(['andreas-mullins', 'john-smith']);
    expect(await ids('Patient?given=anna&family=müller')).toEqual(['anna-mueller']);
    expect(await ids('Patient?given=anna&family=mullins')).toEqual([]);
  });

  it('an escaped comma (\\,) is part of the value, not a separator', async () => {
    expect(await ids('Patient?family=abbott\\,cost')).toEqual(['abbott-costello']);
    expect(await ids('Patient?family=abbott\\,x')).toEqual([]);
  });

  it('SQL wildcards in a value match themselves only', async () => {
    expect(await ids('Patient?family=%')).toEqual([]);
    expect(await ids('Patient?family:contains=_')).toEqual([]);
  });

  it(':missing=true finds resources without a value, :missing=false those with one', async () => {
    expect(await ids('Patient?family:missing=true')).toEqual(['nameless']);
    expect(await ids('Patient?family:missing=false')).toEqual(['abbott-costello', 'andreas-mullins', 'anna-mueller', 'john-q-adams', 'john-smith']);
  });

  it('searches address parts (address-city) and the whole address (address)', async () => {
    expect(await ids('Patient?address-city=springfield')).toEqual(['anna-mueller']);
    expect(await ids('Patient?address=shelby')).toEqual(['andreas-mullins']);
    expect(await ids('Patient?address-postalcode=011')).toEqual(['anna-mueller']);
  });

  it('refuses modifiers that do not apply to strings', async () => {
    await expectBadRequest(practice.server, 'Patient?family:not=smith');
    await expectBadRequest(practice.server, 'Patient?family:below=smith');
    await expectBadRequest(practice.server, 'Patient?family:missing=maybe');
  });
});

describe('token parameters', () => {
  const practice = practiceWith(() => db, [
    {
      resourceType: 'Patient',
      id: 'tok-female-active',
      gender: 'female',
      active: true,
      identifier: [{ system: MRN, value: 'MRN-1', type: { text: 'Medical record number' } }],
      telecom: [{ system: 'phone', value: '555-0100' }, { system: 'email', value: 'anna@example.org' }],
    },
    { resourceType: 'Patient', id: 'tok-male-inactive', gender: 'male', active: false, identifier: [{ system: 'http://other.example/ids', value: 'MRN-1' }] },
    { resourceType: 'Patient', id: 'tok-local-id', gender: 'other', identifier: [{ value: 'LOCAL-7' }] },
    { resourceType: 'Patient', id: 'tok-no-gender' },
    {
      resourceType: 'Observation',
      id: 'tok-glucose',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '2339-0', display: 'Glucose [Mass/volume] in Blood' }], text: 'Blood sugar' },
    },
    {
      resourceType: 'Observation',
      id: 'tok-hemoglobin',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hémoglobine' }] },
    },
    { resourceType: 'Observation', id: 'tok-text-only', status: 'preliminary', code: { text: 'Fasting glucose panel' } },
    {
      resourceType: 'Observation',
      id: 'tok-local-code',
      status: 'final',
      code: { coding: [{ system: 'http://acme.example/codes', code: '2339-0', display: 'Local sugar test' }] },
    },
  ]);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('a bare code matches in any system', async () => {
    expect(await ids('Observation?code=2339-0')).toEqual(['tok-glucose', 'tok-local-code']);
    expect(await ids('Patient?identifier=MRN-1')).toEqual(['tok-female-active', 'tok-male-inactive']);
  });

  it('system|code matches only that system', async () => {
    expect(await ids('Observation?code=http://loinc.org|2339-0')).toEqual(['tok-glucose']);
    expect(await ids(`Patient?identifier=${MRN}|MRN-1`)).toEqual(['tok-female-active']);
    expect(await ids('Observation?code=http://snomed.info/sct|2339-0')).toEqual([]);
  });

  it('system| matches any code of that system', async () => {
    expect(await ids('Observation?code=http://loinc.org|')).toEqual(['tok-glucose', 'tok-hemoglobin']);
    expect(await ids(`Patient?identifier=${MRN}|`)).toEqual(['tok-female-active']);
  });

  it('|code matches only a code without a system', async () => {
    expect(await ids('Patient?identifier=|LOCAL-7')).toEqual(['tok-local-id']);
    expect(await ids('Patient?identifier=|MRN-1')).toEqual([]);
  });

  it('matches codes, booleans and alternatives', async () => {
    expect(await ids('Patient?gender=female')).toEqual(['tok-female-active']);
    expect(await ids('Patient?gender=male,other')).toEqual(['tok-local-id', 'tok-male-inactive']);
    expect(await ids('Patient?active=true')).toEqual(['tok-female-active']);
    expect(await ids('Patient?active=false')).toEqual(['tok-male-inactive']);
  });

  it('matches a ContactPoint by its value (phone, email, telecom)', async () => {
    expect(await ids('Patient?phone=555-0100')).toEqual(['tok-female-active']);
    expect(await ids('Patient?email=anna@example.org')).toEqual(['tok-female-active']);
    expect(await ids('Patient?telecom=anna@example.org')).toEqual(['tok-female-active']);
    expect(await ids('Patient?phone=anna@example.org')).toEqual([]);
  });

  it('finds a phone number however it is punctuated, stored or searched', async () => {
    for (const typed of ['5550100', '555.0100', '555 0100', '(555) 0100']) expect(await ids(`Patient?phone=${typed}`), typed).toEqual(['tok-female-active']);
    expect(await ids('Patient?phone=555-0101')).toEqual([]);
  });

  it(':not finds every resource without that code, including those with no value at all', async () => {
    expect(await ids('Patient?gender:not=male')).toEqual(['tok-female-active', 'tok-local-id', 'tok-no-gender']);
    expect(await ids('Observation?code:not=http://loinc.org|2339-0')).toEqual(['tok-hemoglobin', 'tok-local-code', 'tok-text-only']);
    expect(await ids('Patient?gender:not=male,female')).toEqual(['tok-local-id', 'tok-no-gender']);
  });

  it(':missing tells resources with and without a value apart', async () => {
    expect(await ids('Patient?gender:missing=true')).toEqual(['tok-no-gender']);
    expect(await ids('Patient?gender:missing=false')).toEqual(['tok-female-active', 'tok-local-id', 'tok-male-inactive']);
  });

  it(':text searches CodeableConcept.text and coding display, ignoring case', async () => {
    expect(await ids('Observation?code:text=glucose')).toEqual(['tok-glucose', 'tok-text-only']);
    expect(await ids('Observation?code:text=Blood sugar')).toEqual(['tok-glucose']);
    expect(await ids('Observation?code:text=sugar')).toEqual(['tok-glucose', 'tok-local-code']);
  });

  it(':text ignores accents like string search does', async () => {
    expect(await ids('Observation?code:text=hemoglobine')).toEqual(['tok-hemoglobin']);
    expect(await ids('Observation?code:text=HÉMO')).toEqual(['tok-hemoglobin']);
  });

  it(':text on an identifier searches its type text', async () => {
    expect(await ids('Patient?identifier:text=medical record')).toEqual(['tok-female-active']);
  });

  it('an escaped pipe (\\|) is part of the code', async () => {
    await seed(practice.server, [{ resourceType: 'Patient', id: 'tok-pipe-id', identifier: [{ value: 'A|B' }] }]);
    expect(await ids('Patient?identifier=A\\|B')).toEqual(['tok-pipe-id']);
    expect(await ids('Patient?identifier=A|B')).toEqual([]);
  });

  it('refuses modifiers a token cannot take', async () => {
    await expectBadRequest(practice.server, 'Patient?gender:exact=male');
    await expectBadRequest(practice.server, 'Patient?gender:contains=ma');
  });
});

describe('uri parameters', () => {
  const practice = practiceWith(() => db, [
    { resourceType: 'ValueSet', id: 'vs-allergies', status: 'active', url: 'http://example.org/fhir/ValueSet/allergies' },
    { resourceType: 'ValueSet', id: 'vs-allergies-extended', status: 'active', url: 'http://example.org/fhir/ValueSet/allergies-extended' },
    { resourceType: 'ValueSet', id: 'vs-other-host', status: 'active', url: 'http://other.org/fhir/ValueSet/allergies' },
    { resourceType: 'ValueSet', id: 'vs-no-url', status: 'draft' },
    { resourceType: 'Questionnaire', id: 'q-root', status: 'active', url: 'http://example.org/fhir' },
    { resourceType: 'Questionnaire', id: 'q-intake', status: 'active', url: 'http://example.org/fhir/Questionnaire/intake' },
    { resourceType: 'Questionnaire', id: 'q-intake-v2', status: 'active', url: 'http://example.org/fhir/Questionnaire/intake/v2' },
    { resourceType: 'Questionnaire', id: 'q-other', status: 'active', url: 'http://other.org/fhir/Questionnaire/intake' },
  ]);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('a plain uri search matches the whole uri only', async () => {
    expect(await ids('ValueSet?url=http://example.org/fhir/ValueSet/allergies')).toEqual(['vs-allergies']);
    expect(await ids('ValueSet?url=http://example.org/fhir/ValueSet')).toEqual([]);
  });

  it(':below matches every uri under the given one', async () => {
    expect(await ids('ValueSet?url:below=http://example.org/fhir/ValueSet/')).toEqual(['vs-allergies', 'vs-allergies-extended']);
    expect(await ids('Questionnaire?url:below=http://example.org/fhir/Questionnaire/intake')).toEqual(['q-intake', 'q-intake-v2']);
  });

  it(':above matches every uri the given one lies under', async () => {
    expect(await ids('Questionnaire?url:above=http://example.org/fhir/Questionnaire/intake/v2/_history/3')).toEqual(['q-intake', 'q-intake-v2', 'q-root']);
    expect(await ids('Questionnaire?url:above=http://example.org/fhir/Questionnaire/intake')).toEqual(['q-intake', 'q-root']);
  });

  it(':missing finds definitions without a url', async () => {
    expect(await ids('ValueSet?url:missing=true')).toEqual(['vs-no-url']);
  });

  it('refuses prefixes and string modifiers on a uri', async () => {
    await expectBadRequest(practice.server, 'ValueSet?url:exact=http://example.org');
    await expectBadRequest(practice.server, 'ValueSet?url:text=allergies');
  });
});

describe('meta parameters (_tag, _security, _profile, _source)', () => {
  const practice = practiceWith(() => db, [
    {
      resourceType: 'Patient',
      id: 'tagged-vip',
      meta: {
        tag: [{ system: 'http://example.org/tags', code: 'vip' }],
        security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }],
        profile: ['http://example.org/StructureDefinition/registered-patient'],
        source: 'http://example.org/front-desk',
      },
    },
    { resourceType: 'Patient', id: 'tagged-other', meta: { tag: [{ system: 'http://example.org/tags', code: 'research' }] } },
    { resourceType: 'Patient', id: 'untagged' },
  ]);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('searches meta.tag and meta.security as tokens', async () => {
    expect(await ids('Patient?_tag=http://example.org/tags|vip')).toEqual(['tagged-vip']);
    expect(await ids('Patient?_tag=http://example.org/tags|')).toEqual(['tagged-other', 'tagged-vip']);
    expect(await ids('Patient?_tag:not=vip')).toEqual(['tagged-other', 'untagged']);
    expect(await ids('Patient?_security=R')).toEqual(['tagged-vip']);
  });

  it('searches meta.profile and meta.source as uris', async () => {
    expect(await ids('Patient?_profile=http://example.org/StructureDefinition/registered-patient')).toEqual(['tagged-vip']);
    expect(await ids('Patient?_source:below=http://example.org/')).toEqual(['tagged-vip']);
  });
});

describe('_id', () => {
  const practice = practiceWith(() => db, [
    { resourceType: 'Organization', id: 'org-a', name: 'A' },
    { resourceType: 'Organization', id: 'org-b', name: 'B' },
    { resourceType: 'Organization', id: 'org-c', name: 'C' },
  ]);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('matches the listed ids of the searched type only', async () => {
    expect(await ids('Organization?_id=org-a,org-c,anna-mueller')).toEqual(['org-a', 'org-c']);
    expect(await ids('Organization?_id=org-b&name=b')).toEqual(['org-b']);
    expect(await ids('Organization?_id=org-b&name=a')).toEqual([]);
  });

  it('does not find a deleted resource', async () => {
    await seed(practice.server, [{ resourceType: 'Organization', id: 'org-deleted', name: 'Deleted Org' }]);
    expect((await practice.server.fhir('DELETE', 'Organization/org-deleted')).status).toBe(204);
    expect(await ids('Organization?_id=org-deleted')).toEqual([]);
    expect(await ids('Organization?name=deleted')).toEqual([]);
  });
});
