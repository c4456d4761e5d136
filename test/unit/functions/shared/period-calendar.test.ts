import {
  daysInMonth,
  isLeapYear,
  type Period,
  periodContaining,
  periodsEndedInWeekBefore,
  periodsOfMonth,
  previousPeriod,
  proRatedAllowance,
} from "../../../../functions/shared/period-calendar";

/** An independent oracle: JavaScript's own UTC calendar (valid for years >= 100). */
const utc = (date: string) => new Date(`${date}T00:00:00Z`);
const weekdayOf = (date: string) => utc(date).getUTCDay();
const nextDay = (date: string) => {
  const d = utc(date);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
};
const spans = (periods: Period[]) => periods.map((p) => `${p.start.slice(8)}-${p.end.slice(8)}`);

describe("periodsOfMonth", () => {
  it.each([
    ["2026-02", "starts on a Sunday with 28 days: four full weeks", ["01-07", "08-14", "15-21", "22-28"]],
    [
      "2026-08",
      "starts on a Saturday: a one-day first period",
      ["01-01", "02-08", "09-15", "16-22", "23-29", "30-31"],
    ],
    [
      "2026-05",
      "ends on a Sunday: a one-day last period",
      ["01-02", "03-09", "10-16", "17-23", "24-30", "31-31"],
    ],
    ["2026-03", "starts on a Sunday with 31 days", ["01-07", "08-14", "15-21", "22-28", "29-31"]],
    ["2024-02", "leap February 2024 has 29 days", ["01-03", "04-10", "11-17", "18-24", "25-29"]],
    ["2000-02", "2000 is a leap year (divisible by 400)", ["01-05", "06-12", "13-19", "20-26", "27-29"]],
    ["1900-02", "1900 is not a leap year (divisible by 100)", ["01-03", "04-10", "11-17", "18-24", "25-28"]],
    ["2025-12", "December 2025 ends on a Wednesday", ["01-06", "07-13", "14-20", "21-27", "28-31"]],
    ["2026-01", "January 2026 starts on a Thursday", ["01-03", "04-10", "11-17", "18-24", "25-31"]],
  ])("splits %s (%s)", (month, _why, expected) => {
    expect(spans(periodsOfMonth(month))).toEqual(expected);
  });

  it("gives each period an id, index, month and length", () => {
    expect(periodsOfMonth("2026-08")[0]).toEqual({
      id: "2026-08-P1",
      month: "2026-08",
      index: 1,
      start: "2026-08-01",
      end: "2026-08-01",
      days: 1,
      daysInMonth: 31,
    });
  });

  // Every month shape: each month length (28, 29, 30, 31) with the 1st on each weekday.
  const shapes: Array<[number, number, string]> = [];
  for (const length of [28, 29, 30, 31]) {
    for (let first = 0; first < 7; first++) {
      let found: string | undefined;
      for (let year = 1901; year <= 2100 && !found; year++) {
        for (let month = 1; month <= 12 && !found; month++) {
          const name = `${year}-${String(month).padStart(2, "0")}`;
          if (daysInMonth(year, month) === length && weekdayOf(`${name}-01`) === first) found = name;
        }
      }
      shapes.push([length, first, found!]);
    }
  }
  const weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

  it.each(shapes)(
    "splits a %i-day month starting on weekday %i (%s) into a short first week, full weeks, then the rest",
    (length, first, month) => {
      const firstLength = 7 - first;
      const expected = [firstLength];
      let remaining = length - firstLength;
      while (remaining > 0) {
        expected.push(Math.min(7, remaining));
        remaining -= 7;
      }

      expect(month).toBeDefined();
      expect(weekdays[weekdayOf(`${month}-01`)]).toBe(weekdays[first]);
      expect(periodsOfMonth(month).map((p) => p.days)).toEqual(expected);
    },
  );

  it("covers every month of 400 years exactly, Sunday to Saturday inside, never leaving the month", () => {
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok) problems.push(what);
    };
    let months = 0;
    for (let year = 1800; year < 2200; year++) {
      for (let month = 1; month <= 12; month++) {
        const name = `${year}-${String(month).padStart(2, "0")}`;
        const periods = periodsOfMonth(name);
        months++;
        check(periods[0].start === `${name}-01`, `${name}: first period starts on ${periods[0].start}`);
        check(
          periods.at(-1)!.end === `${name}-${daysInMonth(year, month)}`,
          `${name}: last period ends early`,
        );
        periods.forEach((p, i) => {
          const last = i === periods.length - 1;
          check(
            p.month === name && p.start.slice(0, 7) === name && p.end.slice(0, 7) === name,
            `${p.id} leaves ${name}`,
          );
          check(p.index === i + 1, `${p.id}: index ${p.index}`);
          check(
            i === 0 || p.start === nextDay(periods[i - 1].end),
            `${p.id}: gap or overlap before ${p.start}`,
          );
          check(i === 0 || weekdayOf(p.start) === 0, `${p.id}: starts on weekday ${weekdayOf(p.start)}`);
          check(last || weekdayOf(p.end) === 6, `${p.id}: ends on weekday ${weekdayOf(p.end)}`);
          check(i === 0 || last || p.days === 7, `${p.id}: a middle period of ${p.days} days`);
        });
        const total = periods.reduce((sum, p) => sum + p.days, 0);
        check(total === daysInMonth(year, month), `${name}: periods add up to ${total} days`);
      }
    }
    expect(months).toBe(4800);
    expect(problems).toEqual([]);
  });

  it.each(["2026-13", "2026-2", "abc", "2026-00", "2026-02-01", ""])(
    "rejects %j naming the value and YYYY-MM",
    (bad) => {
      expect(() => periodsOfMonth(bad)).toThrow(`${JSON.stringify(bad)} is not a month; expected YYYY-MM`);
    },
  );
});

describe("isLeapYear and daysInMonth", () => {
  it.each([
    [2024, true],
    [2000, true],
    [1900, false],
    [2100, false],
    [2023, false],
  ])("isLeapYear(%i) is %s", (year, leap) => {
    expect(isLeapYear(year)).toBe(leap);
  });

  it("agrees with the UTC calendar on the length of every month from 1901 to 2100", () => {
    for (let year = 1901; year <= 2100; year++) {
      for (let month = 1; month <= 12; month++) {
        expect(daysInMonth(year, month)).toBe(new Date(Date.UTC(year, month, 0)).getUTCDate());
      }
    }
  });
});

describe("periodContaining", () => {
  it.each([
    ["2026-08-01", "2026-08-01", "2026-08-01"],
    ["2026-08-02", "2026-08-02", "2026-08-08"],
    ["2026-05-31", "2026-05-31", "2026-05-31"],
    ["2025-12-31", "2025-12-28", "2025-12-31"],
    ["2026-01-01", "2026-01-01", "2026-01-03"],
    ["2024-02-29", "2024-02-25", "2024-02-29"],
  ])("puts %s in the period %s..%s", (date, start, end) => {
    expect(periodContaining(date)).toMatchObject({ start, end });
  });

  it.each(["2026-02-29", "2026-13-01", "2026-1-01", "2025-04-31", "20260101", "x"])(
    "rejects %j naming the value and YYYY-MM-DD",
    (bad) => {
      expect(() => periodContaining(bad)).toThrow(
        `${JSON.stringify(bad)} is not a date; expected a real calendar date as YYYY-MM-DD`,
      );
    },
  );
});

describe("previousPeriod", () => {
  it.each([
    ["Monday 2026-03-09", "2026-03-09", "2026-03-01", "2026-03-07"],
    ["Monday 2026-06-01 after a one-day last period", "2026-06-01", "2026-05-31", "2026-05-31"],
    ["Monday 2026-01-05 across the year boundary", "2026-01-05", "2026-01-01", "2026-01-03"],
    ["Monday 2025-12-29", "2025-12-29", "2025-12-21", "2025-12-27"],
    ["Thursday 2026-01-01 (the year's first day)", "2026-01-01", "2025-12-28", "2025-12-31"],
    ["Sunday 2026-08-02 after a one-day first period", "2026-08-02", "2026-08-01", "2026-08-01"],
  ])("on %s is %s..%s", (_label, date, start, end) => {
    expect(previousPeriod(date)).toMatchObject({ start, end });
  });

  it("always returns a period that ended before the date, with no period ending in between", () => {
    for (let date = "2023-12-01"; date < "2026-02-01"; date = nextDay(date)) {
      const previous = previousPeriod(date);
      expect(previous.end < date).toBe(true);
      expect(nextDay(previous.end) === date || periodContaining(nextDay(previous.end)).end >= date).toBe(
        true,
      );
    }
  });
});

describe("periodsEndedInWeekBefore", () => {
  it("on Monday 2026-01-05 yields December's last period and January's first", () => {
    expect(periodsEndedInWeekBefore("2026-01-05").map((p) => p.id)).toEqual(["2025-12-P5", "2026-01-P1"]);
  });

  it("run every Monday for ten years yields every period exactly once", () => {
    const seen: string[] = [];
    let monday = "2020-01-06";
    expect(weekdayOf(monday)).toBe(1);
    while (monday <= "2030-01-07") {
      seen.push(...periodsEndedInWeekBefore(monday).map((p) => p.id));
      for (let i = 0; i < 7; i++) monday = nextDay(monday);
    }
    const expected: string[] = [];
    for (let year = 2020; year <= 2029; year++) {
      for (let month = 1; month <= 12; month++) {
        expected.push(...periodsOfMonth(`${year}-${String(month).padStart(2, "0")}`).map((p) => p.id));
      }
    }
    // 2020-01-06's window starts 2019-12-30: December 2019's last period comes first.
    expect(seen[0]).toBe("2019-12-P5");
    expect(seen.slice(1, expected.length + 1)).toEqual(expected);
  });
});

describe("proRatedAllowance", () => {
  it("gives a period days/days-in-month of a monthly amount", () => {
    const [first] = periodsOfMonth("2026-08");

    expect(proRatedAllowance({ amount: 3100, per: "month" }, first)).toBeCloseTo(100, 10);
  });

  it("adds up to the monthly amount over a month's periods, for every month of 2024", () => {
    for (let month = 1; month <= 12; month++) {
      const periods = periodsOfMonth(`2024-${String(month).padStart(2, "0")}`);
      const total = periods.reduce((sum, p) => sum + proRatedAllowance({ amount: 2500, per: "month" }, p), 0);
      expect(total).toBeCloseTo(2500, 9);
    }
  });

  it("gives a period days/days-in-year of an annual amount, 366 in a leap year", () => {
    const full = periodsOfMonth("2024-03")[1];
    const full2025 = periodsOfMonth("2025-03")[1];

    expect(proRatedAllowance({ amount: 36_600, per: "year" }, full)).toBeCloseTo(700, 10);
    expect(proRatedAllowance({ amount: 36_500, per: "year" }, full2025)).toBeCloseTo(700, 10);
  });

  it("adds up to the annual amount over a year's periods", () => {
    let total = 0;
    for (let month = 1; month <= 12; month++) {
      for (const p of periodsOfMonth(`2023-${String(month).padStart(2, "0")}`)) {
        total += proRatedAllowance({ amount: 120_000, per: "year" }, p);
      }
    }
    expect(total).toBeCloseTo(120_000, 6);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("rejects the amount %s", (amount) => {
    expect(() => proRatedAllowance({ amount, per: "month" }, periodsOfMonth("2026-01")[0])).toThrow(
      "expected a finite number >= 0",
    );
  });

  it("rejects an unknown basis", () => {
    expect(() =>
      proRatedAllowance({ amount: 1, per: "week" as "month" }, periodsOfMonth("2026-01")[0]),
    ).toThrow('allowance per "week" is not valid; expected "month" or "year"');
  });
});
