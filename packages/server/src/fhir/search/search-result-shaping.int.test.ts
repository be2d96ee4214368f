import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.js';
import { openTestDatabase, TEST_BASE } from '../../test-support/test-database.js';
import { bundleAt, expectBadRequest, idsOf, nextLink, pathOf, practiceWith, searchBundle, searchPath, type SearchBundle } from './search-test-support.js';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const patient = (id: string, family: string | undefined, birthDate: string | undefined, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Patient',
  id,
  ...(family === undefined ? {} : { name: [{ family, given: [id.split('-')[0]] }] }),
  ...(birthDate === undefined ? {} : { birthDate }),
  ...extra,
});

/** Seven patients; two Bakers and two Clarks so that a second sort key decides. */
const seven = [
  patient('carol-clark', 'Clark', '1975-03-01', { gender: 'female' }),
  patient('adam-baker', 'Baker', '1990-01-01', { gender: 'male' }),
  patient('ben-baker', 'Baker', '1960-05-05', { gender: 'male' }),
  patient('dora-clark', 'Clark', '1985-07-07'),
  patient('eve-adams', 'Adams', '1970-01-01', { gender: 'female' }),
  patient('finn-nofamily', undefined, '1999-09-09'),
  patient('gus-ziegler', 'Ziegler', undefined),
];
const SEVEN_IDS = seven.map((p) => p.id).sort();

/** Every page of a search, following `next` links as a client would. */
async function allPages(server: Parameters<typeof bundleAt>[0], search: string, beforeEachNext?: (page: number) => Promise<void>): Promise<SearchBundle[]> {
  const pages = [await searchBundle(server, search)];
  for (let next = nextLink(pages[0]!); next; next = nextLink(pages[pages.length - 1]!)) {
    if (pages.length > 20) throw new Error('paging does not end');
    await beforeEachNext?.(pages.length);
    pages.push(await bundleAt(server, pathOf(next)));
  }
  return pages;
}

describe('_sort', () => {
  const practice = practiceWith(() => db, seven);
  const order = async (search: string): Promise<string[]> => idsOf(await searchBundle(practice.server, search));

  it('sorts by one key ascending; resources without a value come last', async () => {
    expect(await order('Patient?_sort=birthdate')).toEqual(['ben-baker', 'eve-adams', 'carol-clark', 'dora-clark', 'adam-baker', 'finn-nofamily', 'gus-ziegler']);
  });

  it('-key sorts descending; resources without a value still come last', async () => {
    expect(await order('Patient?_sort=-birthdate')).toEqual(['finn-nofamily', 'adam-baker', 'dora-clark', 'carol-clark', 'eve-adams', 'ben-baker', 'gus-ziegler']);
  });

  it('a second key orders ties of the first (family, then birthdate descending)', async () => {
    expect(await order('Patient?_sort=family,-birthdate')).toEqual(['eve-adams', 'adam-baker', 'ben-baker', 'dora-clark', 'carol-clark', 'gus-ziegler', 'finn-nofamily']);
    expect(await order('Patient?_sort=-family,birthdate')).toEqual(['gus-ziegler', 'carol-clark', 'dora-clark', 'ben-baker', 'adam-baker', 'eve-adams', 'finn-nofamily']);
  });

  it('sorts by a token; resources without one come last in either direction', async () => {
    expect(await order('Patient?_sort=gender,_id')).toEqual(['carol-clark', 'eve-adams', 'adam-baker', 'ben-baker', 'dora-clark', 'finn-nofamily', 'gus-ziegler']);
    expect(await order('Patient?_sort=-gender,-_id')).toEqual(['ben-baker', 'adam-baker', 'eve-adams', 'carol-clark', 'gus-ziegler', 'finn-nofamily', 'dora-clark']);
  });

  it('sorts by _id and by _lastUpdated', async () => {
    expect(await order('Patient?_sort=_id')).toEqual(SEVEN_IDS);
    expect(await order('Patient?_sort=-_id')).toEqual([...SEVEN_IDS].reverse());
    const times = async (search: string): Promise<string[]> => (await searchBundle(practice.server, search)).entry!.map((e) => e.resource.meta.lastUpdated);
    const ascending = await times('Patient?_sort=_lastUpdated');
    expect(ascending).toEqual([...ascending].sort());
    expect(ascending).toHaveLength(7);
    const descending = await times('Patient?_sort=-_lastUpdated');
    expect(descending).toEqual([...ascending].sort().reverse());
  });

  it('sorting applies before filtering narrows nothing away', async () => {
    expect(await order('Patient?family=baker,clark&_sort=-birthdate,_id')).toEqual(['adam-baker', 'dora-clark', 'carol-clark', 'ben-baker']);
  });

  it('refuses an unknown sort parameter', async () => {
    await expectBadRequest(practice.server, 'Patient?_sort=colour');
    await expectBadRequest(practice.server, 'Patient?_sort=-');
  });
});

describe('paging with next links', () => {
  const practice = practiceWith(() => db, seven);

  it('_count=2 over seven patients: four pages, every patient exactly once', async () => {
    const pages = await allPages(practice.server, 'Patient?_count=2');
    expect(pages.map((p) => p.entry!.length)).toEqual([2, 2, 2, 1]);
    const seen = pages.flatMap((p) => idsOf(p));
    expect(seen.sort()).toEqual(SEVEN_IDS);
    expect(nextLink(pages[3]!)).toBeUndefined();
  });

  it('pages of a sorted search concatenate to the unpaged order (family, then -birthdate)', async () => {
    const whole = idsOf(await searchBundle(practice.server, 'Patient?_sort=family,-birthdate'));
    const pages = await allPages(practice.server, 'Patient?_sort=family,-birthdate&_count=2');
    expect(pages.flatMap((p) => idsOf(p))).toEqual(whole);
    const descending = await allPages(practice.server, 'Patient?_sort=-birthdate&_count=3');
    expect(descending.flatMap((p) => idsOf(p))).toEqual(idsOf(await searchBundle(practice.server, 'Patient?_sort=-birthdate')));
    const byWrite = await allPages(practice.server, 'Patient?_sort=-_lastUpdated,gender&_count=2');
    expect(byWrite.flatMap((p) => idsOf(p))).toEqual(idsOf(await searchBundle(practice.server, 'Patient?_sort=-_lastUpdated,gender')));
  });

  it('the next link keeps the search and its page size', async () => {
    const first = await searchBundle(practice.server, 'Patient?family=baker,clark&_count=2&_sort=family');
    const next = new URL(nextLink(first)!);
    expect(next.href.startsWith(`${TEST_BASE}/Patient?`)).toBe(true);
    expect(next.searchParams.get('family')).toBe('baker,clark');
    expect(next.searchParams.get('_count')).toBe('2');
    expect(next.searchParams.get('_sort')).toBe('family');
    expect(first.link.find((l) => l.relation === 'self')?.url).toContain('_count=2');
  });

  it('a patient created between page requests neither repeats nor skips those already paged', async () => {
    const whole = idsOf(await searchBundle(practice.server, 'Patient?_sort=family'));
    let created = 0;
    const pages = await allPages(practice.server, 'Patient?_sort=family&_count=2', async () => {
      // Sorts before everything already paged past: an offset pager would repeat a row.
      created++;
      const response = await practice.server.fhir('PUT', `Patient/aaron-aardvark-${created}`, patient(`aaron-aardvark-${created}`, `Aardvark`, '2000-01-01'));
      expect(response.status).toBe(201);
    });
    const seen = pages.flatMap((p) => idsOf(p));
    expect(new Set(seen).size).toBe(seen.length);
    expect(created).toBe(3);
    expect(seen).toEqual(whole);
  });

  it('a resource created after the cursor position appears on a later page', async () => {
    const first = await searchBundle(practice.server, 'Patient?_sort=family&family=adams,baker,clark,zzz&_count=2');
    expect(idsOf(first)).toEqual(['eve-adams', 'adam-baker']);
    await practice.server.fhir('PUT', 'Patient/zed-zzz', patient('zed-zzz', 'Zzz', '2001-01-01'));
    const rest: string[] = [];
    for (let next = nextLink(first); next; ) {
      const page = await bundleAt(practice.server, pathOf(next));
      rest.push(...idsOf(page));
      next = nextLink(page);
    }
    expect(rest).toEqual(['ben-baker', 'carol-clark', 'dora-clark', 'zed-zzz']);
  });

  it('_offset skips matches; its next link continues after the page', async () => {
    const whole = idsOf(await searchBundle(practice.server, 'Patient?_sort=_id&_id:not=zed-zzz'));
    const page = await searchBundle(practice.server, 'Patient?_sort=_id&_id:not=zed-zzz&_offset=2&_count=2');
    expect(idsOf(page)).toEqual(whole.slice(2, 4));
    const after = await bundleAt(practice.server, pathOf(nextLink(page)!));
    expect(idsOf(after)).toEqual(whole.slice(4, 6));
  });

  it('refuses a cursor that is not one of ours, or from another search', async () => {
    const first = await searchBundle(practice.server, 'Patient?_sort=birthdate&_count=2');
    const cursor = new URL(nextLink(first)!).searchParams.get('_cursor')!;
    await expectBadRequest(practice.server, 'Patient?_cursor=not-a-cursor');
    await expectBadRequest(practice.server, `Patient?_cursor=${Buffer.from('{"a":1}').toString('base64url')}`);
    // A cursor for a birthdate sort has two keys; a search sorted by nothing expects one.
    await expectBadRequest(practice.server, `Patient?_cursor=${cursor}`);
    const tampered = Buffer.from(JSON.stringify(['not a date', 'x'])).toString('base64url');
    await expectBadRequest(practice.server, `Patient?_sort=birthdate&_count=2&_cursor=${tampered}`);
    const tamperedNumber = Buffer.from(JSON.stringify(['many', 'x'])).toString('base64url');
    await expectBadRequest(practice.server, `ChargeItem?_sort=factor-override&_cursor=${tamperedNumber}`);
  });
});

describe('_total, _summary and _elements', () => {
  const practice = practiceWith(() => db, [
    ...seven,
    patient('hana-contact', 'Hana', '1980-02-02', { contact: [{ name: { family: 'Emergency' } }], gender: 'female', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Hana</div>' } }),
  ]);

  it('_total=accurate counts every match although the page is short', async () => {
    const page = await searchBundle(practice.server, 'Patient?_count=2&_total=accurate');
    expect(page.total).toBe(8);
    expect(page.entry).toHaveLength(2);
    const filtered = await searchBundle(practice.server, 'Patient?family=baker&_count=1&_total=accurate');
    expect(filtered.total).toBe(2);
  });

  it('without _total, a total is given only when the whole result fits on the page', async () => {
    expect((await searchBundle(practice.server, 'Patient?_count=2')).total).toBeUndefined();
    expect((await searchBundle(practice.server, 'Patient?family=clark')).total).toBe(2);
    expect((await searchBundle(practice.server, 'Patient?_count=2&_total=none')).total).toBeUndefined();
  });

  it('_summary=count answers the number of matches and no entries', async () => {
    const count = await searchBundle(practice.server, 'Patient?_summary=count');
    expect(count.total).toBe(8);
    expect(count.entry ?? []).toEqual([]);
    expect((await searchBundle(practice.server, 'Patient?family=baker&_summary=count')).total).toBe(2);
  });

  it('_summary=true keeps the summary elements and marks the resource SUBSETTED', async () => {
    const page = await searchBundle(practice.server, 'Patient?_id=hana-contact&_summary=true');
    const resource = page.entry![0]!.resource;
    expect(resource.name).toEqual([{ family: 'Hana', given: ['hana'] }]);
    expect(resource.birthDate).toBe('1980-02-02');
    expect(resource.contact).toBeUndefined();
    expect(resource.text).toBeUndefined();
    expect(resource.meta.tag).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'SUBSETTED' })]));
  });

  it('_summary=data drops the narrative only; _summary=text keeps it', async () => {
    const data = (await searchBundle(practice.server, 'Patient?_id=hana-contact&_summary=data')).entry![0]!.resource;
    expect(data.text).toBeUndefined();
    expect(data.contact).toHaveLength(1);
    const text = (await searchBundle(practice.server, 'Patient?_id=hana-contact&_summary=text')).entry![0]!.resource;
    expect(text.text.status).toBe('generated');
    expect(text.contact).toBeUndefined();
  });

  it('_elements keeps only the listed elements (plus id and meta)', async () => {
    const page = await searchBundle(practice.server, 'Patient?_id=hana-contact&_elements=birthDate,gender');
    const resource = page.entry![0]!.resource;
    expect(Object.keys(resource).sort()).toEqual(['birthDate', 'gender', 'id', 'meta', 'resourceType']);
    expect(resource.meta.tag).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'SUBSETTED' })]));
  });

  it('_count=0 with _total=accurate counts without returning entries', async () => {
    const page = await searchBundle(practice.server, 'Patient?_count=0&_total=accurate');
    expect(page.total).toBe(8);
    expect(page.entry ?? []).toEqual([]);
  });

  it('every entry has a fullUrl on the FHIR base and search mode match', async () => {
    const page = await searchBundle(practice.server, 'Patient?family=clark');
    expect(page.entry!.map((e) => e.fullUrl).sort()).toEqual([`${TEST_BASE}/Patient/carol-clark`, `${TEST_BASE}/Patient/dora-clark`]);
    expect(page.entry!.every((e) => e.search.mode === 'match')).toBe(true);
  });

  it('POST Type/_search with a form body searches like GET', async () => {
    const response = await practice.server.request({
      method: 'POST',
      url: '/fhir/R4/Patient/_search?_sort=birthdate',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${practice.server.token}` },
      payload: 'family=clark',
    });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['carol-clark', 'dora-clark']);
  });

  it('POST Type/_search pages with next links a GET can follow, keeping the body\'s parameters', async () => {
    const response = await practice.server.request({
      method: 'POST',
      url: '/fhir/R4/Patient/_search',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${practice.server.token}` },
      payload: 'family=clark,baker&_sort=-birthdate&_count=3',
    });
    expect(response.statusCode).toBe(200);
    const first = JSON.parse(response.body) as SearchBundle;
    expect(idsOf(first)).toEqual(['adam-baker', 'dora-clark', 'carol-clark']);
    const self = new URL(first.link.find((l) => l.relation === 'self')!.url);
    expect(self.pathname).toBe('/fhir/R4/Patient');
    expect(self.searchParams.get('family')).toBe('clark,baker');
    const second = await bundleAt(practice.server, pathOf(nextLink(first)!));
    expect(idsOf(second)).toEqual(['ben-baker']);
  });
});

describe('invalid searches are 400 OperationOutcome, never 500', () => {
  const practice = practiceWith(() => db, [patient('only-one', 'One', '1980-01-01')]);

  it.each([
    ['an unknown parameter', 'Patient?colour=blue'],
    ['an unknown modifier', 'Patient?name:fuzzy=ann'],
    ['a bad date', 'Patient?birthdate=1980-02-31'],
    ['a prefix on nothing', 'Patient?birthdate=ge'],
    ['an unknown prefix', 'Patient?birthdate=zz1980'],
    ['a bare prefix among alternatives', 'Patient?birthdate=gt1980,lt'],
    ['a prefix on a number without one', 'ChargeItem?factor-override=gtx'],
    ['a non-numeric _count', 'Patient?_count=ten'],
    ['a negative _count', 'Patient?_count=-1'],
    ['a fractional _count', 'Patient?_count=1.5'],
    ['a bad _offset', 'Patient?_offset=x'],
    ['a bad _total', 'Patient?_total=some'],
    ['a bad _summary', 'Patient?_summary=short'],
    ['a bad cursor', 'Patient?_cursor=%%%'],
    ['a four-link chain', 'Observation?subject:Patient.organization.partof.partof.name=x'],
    ['a chain on a token', 'Patient?gender.name=x'],
    ['a sort on a composite', 'Observation?_sort=code-value-quantity'],
    ['a special parameter', 'Location?near=1|2|3|km'],
    ['a _has without a parameter', 'Patient?_has:Observation:patient'],
    ['an _id modifier', 'Patient?_id:exact=only-one'],
    ['a _lastUpdated modifier', 'Patient?_lastUpdated:exact=2020'],
    ['an include of an unknown type', 'Patient?_include=Spaceship:crew'],
    ['a quantity that is not a number', 'Observation?value-quantity=high'],
    ['a :missing that is not true or false', 'Patient?birthdate:missing=yes'],
  ])('%s (%s)', async (_reason, search) => {
    const path = search.includes('%') ? search : searchPath(search);
    await expectBadRequest(practice.server, search, path);
  });

  const cursorOf = (values: string[]): string => Buffer.from(JSON.stringify(values)).toString('base64url');
  it.each([
    ['a date at the end of the calendar', 'Patient?birthdate=le9999-12-31T23:59:59.999999999Z', 200],
    ['ap at the start of the calendar', 'Patient?birthdate=ap0001', 200],
    ['ap at the end of the calendar', 'Patient?birthdate=ap9999', 200],
    ['a number beyond any double', 'Observation?value-quantity=1e400', 400],
    ['a quantity with a fourth part', 'Observation?value-quantity=1|a|b|c', 400],
    ['a huge _offset', 'Patient?_offset=99999999999999999999', 200],
    ['a cursor whose date is not a date', `Patient?_sort=_lastUpdated&_count=1&_cursor=${cursorOf(['x', 'y'])}`, 400],
    ['a cursor whose number is not a number', `ChargeItem?_sort=factor-override&_cursor=${cursorOf(['many', 'x'])}`, 400],
    ['_has nested four deep', 'Patient?_has:Observation:subject:_has:Observation:subject:_has:Observation:subject:_has:Observation:subject:code=1', 400],
    ['a very long value', `Patient?name=${'b'.repeat(3000)}`, 200],
  ])('edge: %s answers %i (%s)', async (_reason, search, status) => {
    const response = await practice.server.fhir('GET', searchPath(search));
    expect(response.status).toBe(status);
    expect(response.body.resourceType).toBe(status === 200 ? 'Bundle' : 'OperationOutcome');
  });

  it('the end of the calendar is searchable', async () => {
    expect(idsOf(await searchBundle(practice.server, 'Patient?birthdate=le9999-12-31'))).toEqual(['only-one']);
    expect(idsOf(await searchBundle(practice.server, 'Patient?birthdate=gt0001'))).toEqual(['only-one']);
    expect(idsOf(await searchBundle(practice.server, 'Patient?birthdate=sa9999'))).toEqual([]);
  });

  it('the diagnostics name the offending parameter', async () => {
    expect(await expectBadRequest(practice.server, 'Patient?colour=blue')).toContain('colour');
    expect(await expectBadRequest(practice.server, 'Patient?birthdate=1980-02-31')).toContain('1980-02-31');
  });

  it('_count above the maximum is capped rather than refused', async () => {
    const page = await searchBundle(practice.server, 'Patient?_count=100000');
    expect(idsOf(page)).toEqual(['only-one']);
  });
});
