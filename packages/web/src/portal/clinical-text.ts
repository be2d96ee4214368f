import type { CodeableConcept, Period, Quantity } from '@medplum/fhirtypes';

/** What a coded concept says, for a person: its text, else the first display, else the code. */
export function conceptText(concept: CodeableConcept | undefined, fallback = 'Not named'): string {
  return concept?.text ?? concept?.coding?.find((c) => c.display)?.display ?? concept?.coding?.[0]?.code ?? fallback;
}

/** "7.1 %" */
export function quantityText(quantity: Quantity | undefined): string {
  if (quantity?.value === undefined) return '';
  return [quantity.value, quantity.unit ?? quantity.code].filter((part) => part !== undefined && part !== '').join(' ');
}

/** A FHIR date or instant as the person's locale shows a date ("Mar 4, 2026"). */
export function dateText(value: string | undefined): string {
  if (!value) return '';
  // A bare date is a calendar day, not midnight UTC: read it as local so it does not shift a day.
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00`) : new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function dateTimeText(value: string | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
}

export function periodText(period: Period | undefined): string {
  if (!period?.start && !period?.end) return '';
  if (period.start && period.end) {
    const [from, to] = [dateText(period.start), dateText(period.end)];
    return from === to ? from : `${from} – ${to}`;
  }
  return period.start ? `from ${dateText(period.start)}` : `until ${dateText(period.end)}`;
}
