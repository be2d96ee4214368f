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
  // FHIR has no year 0000 (nor does PostgreSQL).
  if (year === 0 || month < 0 || month > 11 || day < 1 || day > 31) return undefined;
  if (utc(year, month, day).getUTCDate() !== day) return undefined;
  if ((h && Number(h) > 23) || (mi && Number(mi) > 59) || (s && Number(s) > 60)) return undefined;
  const offsetMinutes = zone && zone !== 'Z' ? parseOffset(zone) : 0;
  if (offsetMinutes === undefined) return undefined;
  const fractionMs = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const local = utc(year, month, day, h ? Number(h) : 0, mi ? Number(mi) : 0, s ? Number(s) : 0, fractionMs);
  const low = new Date(local.getTime() - offsetMinutes * 60_000);
  let high: Date;
  if (!mo) high = utc(year + 1, 0, 1);
  else if (!d) high = utc(year, month + 1, 1);
  else if (!h) high = utc(year, month, day + 1);
  else if (!s) high = new Date(low.getTime() + 60_000);
  // `.5` is a tenth of a second wide; past milliseconds a Date cannot be narrower than 1 ms.
  else high = new Date(low.getTime() + (frac ? 10 ** Math.max(0, 3 - frac.length) : 1000));
  return { low, high };
}

/** Date.UTC reads years 0-99 as 1900-1999; FHIR's year 0050 is year 50. */
function utc(year: number, month: number, day: number, hours = 0, minutes = 0, seconds = 0, ms = 0): Date {
  const date = new Date(Date.UTC(year, month, day, hours, minutes, seconds, ms));
  if (year < 100) date.setUTCFullYear(date.getUTCFullYear() - 1900);
  return date;
}

/** `+hh:mm` / `-hh:mm` in minutes; real offsets lie within ±14:00. */
function parseOffset(zone: string): number | undefined {
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hh, mm] = zone.slice(1).split(':').map(Number);
  if (hh! > 14 || mm! > 59) return undefined;
  return sign * (hh! * 60 + mm!);
}

const FIRST_INSTANT = utc(1, 0, 1).getTime();
const LAST_INSTANT = utc(10000, 0, 1).getTime();

/**
 * An instant as text a database accepts. Past year 9999 toISOString() writes `+010000-…`,
 * which PostgreSQL refuses: such bounds (a day-precision 9999-12-31 ends there, an `ap`
 * margin may reach beyond) are open-ended, and so is anything before year 1.
 */
export function instantText(instant: Date): string {
  const time = instant.getTime();
  if (time >= LAST_INSTANT) return 'infinity';
  if (time < FIRST_INSTANT) return '-infinity';
  return instant.toISOString();
}

