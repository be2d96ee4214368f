import { doubleMetaphone } from 'double-metaphone';

/**
 * The `phonetic` search parameter (Patient, Person, Practitioner, RelatedPerson) matches
 * names that sound alike: each word of a name is indexed by its Double Metaphone codes, and
 * a search matches any stored word that shares a code with a word searched for, so Smith
 * finds Smyth and Schmidt, Catherine finds Kathryn.
 */
export const PHONETIC_PARAMETER = 'phonetic';

export function phoneticKeys(text: string): string[] {
  const keys = new Set<string>();
  for (const word of text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[^A-Za-z]+/)) {
    if (word.length === 0) continue;
    for (const key of doubleMetaphone(word)) if (key) keys.add(key);
  }
  return [...keys];
}
