/**
 * FHIR dates carry their own precision: `2020` means the whole year. Each parses to a
 * half-open instant range [low, high) so that search prefixes compare ranges, as the spec asks.
 */
export interface InstantRange {
  readonly low: Date;
  readonly high: Date;
}

const DATE_PATTERN =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

export function parseFhirDateRange(text: string): InstantRange | undefined {
  const m = DATE_PATTERN.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo ? Number(mo) - 1 : 0;
  const day = d ? Number(d) : 1;
  if (month > 11 || day < 1 || day > 31) return undefined;
  const offsetMinutes = zone && zone !== 'Z' ? parseOffset(zone) : 0;
  const fractionMs = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const baseUtc = Date.UTC(year, month, day, h ? Number(h) : 0, mi ? Number(mi) : 0, s ? Number(s) : 0, fractionMs);
  if (Number.isNaN(baseUtc)) return undefined;
  const check = new Date(Date.UTC(year, month, day));
  if (check.getUTCMonth() !== month || check.getUTCDate() !== day) return undefined;
  if ((h && Number(h) > 23) || (mi && Number(mi) > 59) || (s && Number(s) > 60)) return undefined;
  const low = new Date(baseUtc - offsetMinutes * 60_000);
  let high: Date;
  if (!mo) high = new Date(Date.UTC(year + 1, 0, 1));
  else if (!d) high = new Date(Date.UTC(year, month + 1, 1));
  else if (!h) high = new Date(Date.UTC(year, month, day + 1));
  else if (!s) high = new Date(low.getTime() + 60_000);
  else if (!frac) high = new Date(low.getTime() + 1000);
  else high = new Date(low.getTime() + 1);
  return { low, high };
}

function parseOffset(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hh, mm] = zone.slice(1).split(':');
  return sign * (Number(hh) * 60 + Number(mm));
}
