/**
 * The spend-card period calendar.
 *
 * A period is a billing work week inside one calendar month: the first period of a month runs
 * from the 1st through the first Saturday, the last from the last Sunday through the month's last
 * day, and the others Sunday through Saturday. So a month whose 1st is a Sunday starts with a
 * full week, a month whose 1st is a Saturday has a one-day first period, and a month ending on a
 * Sunday has a one-day last period. A period never crosses a month boundary.
 *
 * Dates are `YYYY-MM-DD` strings of the proleptic Gregorian calendar, computed with integer
 * arithmetic on day numbers (no Date objects, so no time zone can shift a day).
 */

export interface Period {
  /** Stable key, e.g. "2026-02-P1": month and 1-based position in the month. */
  readonly id: string;
  /** The month, `YYYY-MM`. */
  readonly month: string;
  /** 1-based position of the period in its month. */
  readonly index: number;
  /** First and last day, inclusive, `YYYY-MM-DD`. */
  readonly start: string;
  readonly end: string;
  /** Number of days, 1-7. */
  readonly days: number;
  /** Days in the period's month, 28-31 (the pro-rating denominator). */
  readonly daysInMonth: number;
}

/** Pro-rating basis: an amount per calendar month or per calendar year. */
export interface Allowance {
  readonly amount: number;
  readonly per: "month" | "year";
}

const MONTH_FORMAT = /^(\d{4})-(\d{2})$/;
const DATE_FORMAT = /^(\d{4})-(\d{2})-(\d{2})$/;

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days since 1970-01-01 (Howard Hinnant's days_from_civil). */
function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number (Howard Hinnant's civil_from_days). */
function civil(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: era * 400 + yoe + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday. */
const weekday = (days: number): number => (((days + 4) % 7) + 7) % 7;

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const formatMonth = (year: number, month: number) => `${pad(year, 4)}-${pad(month, 2)}`;
const formatDate = (days: number) => {
  const { year, month, day } = civil(days);
  return `${formatMonth(year, month)}-${pad(day, 2)}`;
};

function parseMonth(yyyyMm: string): { year: number; month: number } {
  const match = typeof yyyyMm === "string" ? MONTH_FORMAT.exec(yyyyMm) : null;
  const month = match ? Number(match[2]) : 0;
  if (!match || month < 1 || month > 12) {
    throw new Error(
      `${JSON.stringify(yyyyMm)} is not a month; expected YYYY-MM with a month 01-12, e.g. "2026-02"`,
    );
  }
  return { year: Number(match[1]), month };
}

/** Parses a `YYYY-MM-DD` date to its day number; throws naming the value and the format. */
function parseDate(date: string): number {
  const match = typeof date === "string" ? DATE_FORMAT.exec(date) : null;
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
      return dayNumber(year, month, day);
    }
  }
  throw new Error(
    `${JSON.stringify(date)} is not a date; expected a real calendar date as YYYY-MM-DD, e.g. "2026-02-28"`,
  );
}

/** The periods of a month, in order, covering it exactly. */
export function periodsOfMonth(yyyyMm: string): Period[] {
  const { year, month } = parseMonth(yyyyMm);
  const length = daysInMonth(year, month);
  const first = dayNumber(year, month, 1);
  const last = first + length - 1;
  const periods: Period[] = [];
  for (let start = first; start <= last; ) {
    const end = Math.min(start + (6 - weekday(start)), last);
    const index = periods.length + 1;
    const name = formatMonth(year, month);
    periods.push({
      id: `${name}-P${index}`,
      month: name,
      index,
      start: formatDate(start),
      end: formatDate(end),
      days: end - start + 1,
      daysInMonth: length,
    });
    start = end + 1;
  }
  return periods;
}

function periodOfDay(days: number): Period {
  const { year, month } = civil(days);
  const date = formatDate(days);
  return periodsOfMonth(formatMonth(year, month)).find((p) => p.start <= date && date <= p.end)!;
}

/** The period a `YYYY-MM-DD` date falls in. */
export function periodContaining(date: string): Period {
  return periodOfDay(parseDate(date));
}

/**
 * The period that ended most recently before `date` (its last day is before `date`): on a Monday,
 * the period whose card is due. See `periodsEndedInWeekBefore` for Mondays after a month end,
 * when two periods (the old month's last and the new month's first) may have ended that week.
 */
export function previousPeriod(date: string): Period {
  const dayBefore = parseDate(date) - 1;
  const candidate = periodOfDay(dayBefore);
  return candidate.end === formatDate(dayBefore) ? candidate : periodOfDay(parseDate(candidate.start) - 1);
}

/**
 * Every period whose last day falls in the seven days before `date`, oldest first. Run each
 * Monday, this yields every period exactly once, including a month's short last period that is
 * followed by the next month's first period in the same week.
 */
export function periodsEndedInWeekBefore(date: string): Period[] {
  const day = parseDate(date);
  const periods: Period[] = [];
  for (let d = day - 7; d <= day - 1; d++) {
    const period = periodOfDay(d);
    if (period.end === formatDate(d)) periods.push(period);
  }
  return periods;
}

/**
 * A period's share of a budget, pro-rated by days:
 * - per month: amount × period days / days in the period's month, so a month's periods add up to
 *   the monthly amount exactly;
 * - per year: amount × period days / days in the period's calendar year (365 or 366), so every day
 *   of the year is worth the same and a year's periods add up to the annual amount.
 * The result is not rounded; round for display only.
 */
export function proRatedAllowance(allowance: Allowance, period: Period): number {
  if (!Number.isFinite(allowance.amount) || allowance.amount < 0) {
    throw new Error(`allowance amount ${allowance.amount} is not valid; expected a finite number >= 0`);
  }
  if (allowance.per === "month") return (allowance.amount * period.days) / period.daysInMonth;
  if (allowance.per === "year") {
    const year = Number(period.month.slice(0, 4));
    return (allowance.amount * period.days) / (isLeapYear(year) ? 366 : 365);
  }
  throw new Error(`allowance per ${JSON.stringify(allowance.per)} is not valid; expected "month" or "year"`);
}
