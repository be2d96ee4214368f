import { describe, expect, it } from 'vitest';
import { phoneDigitForms } from './phone-numbers.js';

describe('phone numbers as typed', () => {
  it('gives one digit form however the number is punctuated, and drops a North American country code', () => {
    for (const typed of ['555-201-7788', '(555) 201-7788', '555.201.7788', '555 201 7788']) expect(phoneDigitForms(typed)).toEqual(['5552017788']);
    expect(phoneDigitForms('+1 (555) 201-7788')).toEqual(['15552017788', '5552017788']);
    expect(phoneDigitForms('+44 20 7946 0958')).toEqual(['442079460958']);
  });

  it('leaves what is not a phone number alone', () => {
    for (const other of ['MRN-100284', 'S1234567', '201-77', 'hello@clinic.test', '']) expect(phoneDigitForms(other)).toEqual([]);
  });
});
