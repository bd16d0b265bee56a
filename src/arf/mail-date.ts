// Dates as mail writes them (RFC 5322 §3.3, with the obsolete forms of §4.3) and as some
// feedback generators write them (ISO 8601). Read without the local time zone or the clock,
// so the result depends on the text alone.

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

// RFC 5322 §4.3 names the US zones; the others are common enough in the wild to be worth knowing.
// Any other alphabetic zone means "offset unknown", read as -0000 (UTC), as §4.3 says for
// military zones.
const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  cet: 60,
  cest: 120,
  eet: 120,
  eest: 180,
  jst: 540,
  kst: 540,
};

const RFC5322_DATE =
  /^(?:[a-z]{2,9}\.?,?\s*)?(\d{1,2})\s*[\s-]\s*([a-z]{3,9})\.?\s*[\s-]\s*(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(?:([+-])(\d{2}):?(\d{2})|([a-z]{1,5}))?/i;
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[t\s](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(?:(z)|([+-])(\d{2}):?(\d{2}))?)?$/i;

function removeComments(value: string): string {
  return value.replace(/\([^()]*\)/g, ' ').trim();
}

function toIso(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  offsetMinutes: number,
): string | undefined {
  if (month < 0 || month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return undefined;
  if (year < 1900 || year > 9999) return undefined;
  const local = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  const check = new Date(local);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month) return undefined;
  return new Date(local - offsetMinutes * 60_000).toISOString();
}

function fullYear(written: string): number {
  const year = Number(written);
  if (written.length === 2) return year < 50 ? 2000 + year : 1900 + year;
  if (written.length === 3) return 1900 + year;
  return year;
}

/** ISO 8601 (UTC) for a date header or ARF Arrival-Date, or undefined when it cannot be read. */
export function parseMailDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const text = removeComments(value.slice(0, 200));
  const iso = ISO_DATE.exec(text);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', zulu, sign, oh = '0', om = '0'] = iso;
    const offset = zulu || !sign ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
    return toIso(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), offset);
  }
  const match = RFC5322_DATE.exec(text);
  if (!match) return undefined;
  const [, d, monthName, y, h, mi, s = '0', sign, oh, om, zoneName] = match;
  const month = MONTHS[monthName!.slice(0, 3).toLowerCase()];
  if (month === undefined) return undefined;
  let offset = 0;
  if (sign) offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  else if (zoneName) offset = ZONES[zoneName.toLowerCase()] ?? 0;
  return toIso(fullYear(y!), month, Number(d), Number(h), Number(mi), Number(s), offset);
}
