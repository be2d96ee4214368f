import { describe, expect, it } from 'vitest';
import { FhirError } from './outcome.js';
import { DEFAULT_PAGE_SIZE, formatSearchQuery, MAX_PAGE_SIZE, parseSearchRequest, splitPipe, splitValues, unescapeValue } from './search-request.js';

const parse = (query: string) => parseSearchRequest('Patient', new URLSearchParams(query));

function refusal(query: string): FhirError {
  try {
    parse(query);
  } catch (error) {
    if (error instanceof FhirError) return error;
    throw error;
  }
  throw new Error(`${query} was accepted`);
}

describe('filters', () => {
  it('keeps each key with its comma-separated alternatives, in order, repeated keys separately (AND)', () => {
    const request = parse('name=peter,paul&birthdate=ge1980&birthdate=lt1990&name:exact=Mary');
    expect(request.filters).toEqual([
      { key: 'name', values: ['peter', 'paul'] },
      { key: 'birthdate', values: ['ge1980'] },
      { key: 'birthdate', values: ['lt1990'] },
      { key: 'name:exact', values: ['Mary'] },
    ]);
  });

  it('keeps chains, _has and _id as filters, not as result parameters', () => {
    const request = parse('subject:Patient.name=x&_has:Observation:patient:code=1&_id=a,b&_lastUpdated=gt2020');
    expect(request.filters.map((f) => f.key)).toEqual(['subject:Patient.name', '_has:Observation:patient:code', '_id', '_lastUpdated']);
  });

  it('ignores _format, _pretty and an empty key', () => {
    expect(parse('_format=json&_pretty=true&=x').filters).toEqual([]);
  });
});

describe('escapes (\\, \\| \\$ \\\\)', () => {
  it('an escaped comma does not split alternatives, and stays escaped until the value is used', () => {
    expect(splitValues('a\\,b,c')).toEqual(['a\\,b', 'c']);
    expect(unescapeValue('a\\,b')).toBe('a,b');
  });

  it('a token splits on its first unescaped pipe', () => {
    expect(splitPipe('http://loinc.org|2339-0')).toEqual(['http://loinc.org', '2339-0']);
    expect(splitPipe('|2339-0')).toEqual(['', '2339-0']);
    expect(splitPipe('http://loinc.org|')).toEqual(['http://loinc.org', '']);
    expect(splitPipe('2339-0')).toEqual([undefined, '2339-0']);
    expect(splitPipe('A\\|B')).toEqual([undefined, 'A|B']);
    expect(splitPipe('sys\\|tem|co\\,de')).toEqual(['sys|tem', 'co,de']);
  });

  it('unescapes \\$ and \\\\ but leaves other backslashes alone', () => {
    expect(unescapeValue('a\\$b\\\\c\\d')).toBe('a$b\\c\\d');
  });
});

describe('_count and _offset', () => {
  it('defaults to a page of 20 from the start', () => {
    const request = parse('');
    expect([request.count, request.offset]).toEqual([DEFAULT_PAGE_SIZE, 0]);
  });

  it('takes whole numbers and caps the page size', () => {
    expect(parse('_count=0').count).toBe(0);
    expect(parse('_count=7&_offset=14')).toMatchObject({ count: 7, offset: 14 });
    expect(parse('_count=5000').count).toBe(MAX_PAGE_SIZE);
    expect(parse('_count=99999999999999999999').count).toBe(MAX_PAGE_SIZE);
  });

  it.each(['ten', '-1', '1.5', '', '0x10', '1e3'])('refuses _count=%s', (value) => {
    const error = refusal(`_count=${value}`);
    expect(error.status).toBe(400);
    expect(error.issues[0]!.expression).toEqual(['_count']);
  });

  it('refuses a negative _offset', () => {
    expect(refusal('_offset=-5').status).toBe(400);
  });
});

describe('_sort', () => {
  it('reads several keys, a leading minus meaning descending', () => {
    expect(parse('_sort=family,-birthdate,_id').sort).toEqual([
      { code: 'family', descending: false },
      { code: 'birthdate', descending: true },
      { code: '_id', descending: false },
    ]);
  });

  it('ignores blanks around and between keys', () => {
    expect(parse('_sort= family , -birthdate ,').sort).toEqual([
      { code: 'family', descending: false },
      { code: 'birthdate', descending: true },
    ]);
  });
});

describe('_total, _summary, _elements', () => {
  it('reads each mode the spec defines', () => {
    expect(parse('_total=accurate').total).toBe('accurate');
    expect(parse('').total).toBe('none');
    for (const mode of ['true', 'false', 'text', 'data', 'count']) expect(parse(`_summary=${mode}`).summary).toBe(mode);
    expect(parse('_elements=name, birthDate,,gender').elements).toEqual(['name', 'birthDate', 'gender']);
  });

  it('refuses a mode it does not know', () => {
    expect(refusal('_total=some').issues[0]!.expression).toEqual(['_total']);
    expect(refusal('_summary=short').issues[0]!.expression).toEqual(['_summary']);
  });
});

describe('_include and _revinclude', () => {
  it('reads Type:parameter[:Target] and :iterate (R3 :recurse too)', () => {
    const request = parse('_include=MedicationRequest:patient&_include:iterate=Patient:organization:Organization&_revinclude:recurse=Provenance:target');
    expect(request.include).toEqual([
      { sourceType: 'MedicationRequest', code: 'patient', targetType: undefined, iterate: false },
      { sourceType: 'Patient', code: 'organization', targetType: 'Organization', iterate: true },
    ]);
    expect(request.revinclude).toEqual([{ sourceType: 'Provenance', code: 'target', targetType: undefined, iterate: true }]);
  });

  it.each(['_include=Observation', '_include=:subject', '_include:deep=Observation:subject'])('refuses %s', (query) => {
    expect(refusal(query).status).toBe(400);
  });
});

describe('formatSearchQuery (links for a POSTed search)', () => {
  it('writes back what was parsed, escapes included', () => {
    const original = 'family=o\\,brien,smith&birthdate=ge1980&_sort=-birthdate,family&_count=5&_total=accurate&_summary=true&_elements=name&_include=Patient:organization&_revinclude:iterate=Observation:subject:Patient';
    const written = formatSearchQuery(parse(original));
    expect(parse(written.toString())).toEqual(parse(original));
    expect(written.get('family')).toBe('o\\,brien,smith');
  });

  it('leaves defaults out', () => {
    expect(formatSearchQuery(parse('name=x')).toString()).toBe('name=x');
  });
});
