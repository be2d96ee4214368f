import { describe, expect, it } from 'vitest';
import { auditCsv, auditRowOf, auditSearch, NO_FILTERS, type AuditEvent } from './audit-rows.js';

const read: AuditEvent = {
  resourceType: 'AuditEvent',
  id: 'e1',
  recorded: '2026-11-26T10:00:00.000Z',
  outcome: '0',
  subtype: [{ code: 'read' }],
  agent: [{ name: 'Dr Who', altId: 'acc-1', role: [{ text: 'physician' }], network: { address: '10.0.0.7' } }],
  entity: [{ what: { reference: 'Observation/o1' } }, { what: { reference: 'Patient/p1' }, role: { code: '1' } }],
};

describe('the audit trail viewer', () => {
  it('shows who did what to which record of which patient', () => {
    expect(auditRowOf(read)).toEqual({
      recorded: '2026-11-26T10:00:00.000Z', user: 'Dr Who', role: 'physician', action: 'Read', outcome: 'Success',
      what: 'Observation/o1', patients: 'Patient/p1', address: '10.0.0.7', detail: '',
    });
  });

  it('shows the query of a search and the reason of a failed sign-in', () => {
    const search = auditRowOf({ ...read, subtype: [{ code: 'search' }], entity: [{ description: 'Patient?name=smith' }] });
    expect(search.what).toBe('Patient?name=smith');
    const failed = auditRowOf({ ...read, subtype: [{ code: 'login-failed' }], outcome: '4', outcomeDesc: 'The email or password is not right', entity: [] });
    expect([failed.action, failed.outcome, failed.detail]).toEqual(['Failed sign-in', 'Denied', 'The email or password is not right']);
  });

  it('turns the filters into an AuditEvent search', () => {
    expect(auditSearch({ patient: 'Patient/p1', agent: 'acc-1', action: 'read', from: '2026-11-01', to: '2026-11-26' }).toString()).toBe(
      'patient=p1&agent=acc-1&subtype=read&date=ge2026-11-01&date=le2026-11-26&_count=50',
    );
    expect(auditSearch(NO_FILTERS, 200).toString()).toBe('_count=200');
  });

  it('exports CSV that quotes commas and defuses spreadsheet formulas', () => {
    const csv = auditCsv([{ ...auditRowOf(read), user: 'Who, Dr "Doc"', detail: '=HYPERLINK("x")' }]);
    expect(csv.split('\r\n')).toEqual([
      'Recorded,User,Role,Action,Outcome,What,Patients,Address,Detail',
      '2026-11-26T10:00:00.000Z,"Who, Dr ""Doc""",physician,Read,Success,Observation/o1,Patient/p1,10.0.0.7,"\'=HYPERLINK(""x"")"',
      '',
    ]);
  });
});
