/**
 * A telephone number as people type it: "(555) 201-7788", "555.201.7788" and "+1 555 201 7788"
 * are one number. Phone contact points are also indexed by these digit forms, and a token
 * search for something shaped like a phone number looks for them too.
 */
const PHONE_SHAPED = /^\+?[\d\s().-]+$/;

/** The digit forms of a phone number (North American numbers also without the country code 1). */
export function phoneDigitForms(text: string): string[] {
  if (!PHONE_SHAPED.test(text.trim())) return [];
  const digits = text.replace(/\D/g, '');
  if (digits.length < 7) return [];
  return digits.length === 11 && digits.startsWith('1') ? [digits, digits.slice(1)] : [digits];
}

/** The text as typed and, when it is shaped like a phone number, its digit forms: what is indexed, and what a search looks for. */
export function phoneForms(text: string): string[] {
  return [...new Set([text, ...phoneDigitForms(text)])];
}
