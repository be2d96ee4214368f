/**
 * One search box for a patient by name, birth date, MRN or phone: each word of what was typed
 * is read as the parameter it looks like, and the words together make one FHIR `Patient?` search.
 *   "smith 1980-02-03"  → name=smith&birthdate=1980-02-03
 *   "02/03/1980"        → birthdate=1980-02-03 (US order, as staff type it)
 *   "(555) 123-4567"    → phone=(555) 123-4567
 *   "MRN12345", "#4711" → identifier=MRN12345, identifier=4711
 */
export function patientSearchParams(text: string): URLSearchParams {
  const params = new URLSearchParams();
  let rest = text.trim();
  const phone = /(\+?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4})(?!\d)/.exec(rest);
  if (phone && /[\s().-]/.test(phone[1]!)) {
    params.append('phone', phone[1]!.trim());
    rest = rest.replace(phone[1]!, ' ');
  }
  const names: string[] = [];
  for (const word of rest.split(/[\s,]+/).filter(Boolean)) {
    const birthDate = asBirthDate(word);
    if (birthDate) params.append('birthdate', birthDate);
    else if (/^(mrn[:#]|#)/i.test(word) && word.replace(/^(mrn[:#]|#)/i, '')) params.append('identifier', word.replace(/^(mrn[:#]|#)/i, ''));
    else if (/\d/.test(word)) params.append('identifier', word);
    else names.push(word);
  }
  // Each word must match some part of the name (given or family), so "ana smith" finds Ana Smith.
  for (const name of names) params.append('name', name);
  return params;
}

function asBirthDate(word: string): string | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(word);
  if (iso) return word;
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(word);
  if (us) return `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}`;
  return undefined;
}
