// Business days for the generator: weekends and the national bank holidays (the ANBIMA calendar: fixed holidays,
// Carnival, Good Friday, Corpus Christi). Registrations cluster on business days and due dates roll forward to one.
// Days are integers: days since 1970-01-01 (UTC).

const MS_PER_DAY = 86_400_000;

export function dayOf(year: number, month: number, date: number): number {
  return Date.UTC(year, month - 1, date) / MS_PER_DAY;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function yearMonth(day: number): {year: number; month: number; date: number} {
  const d = new Date(day * MS_PER_DAY);
  return {year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, date: d.getUTCDate()};
}

/** Months since 1970-01 (a month index for monthly factors). */
export function monthIndex(day: number): number {
  const {year, month} = yearMonth(day);
  return (year - 1970) * 12 + month - 1;
}

/** The same day of the month `months` later, clamped to the month's last day (Jan 31 + 1 → Feb 28/29). */
export function addMonths(day: number, months: number): number {
  const {year, month, date} = yearMonth(day);
  const last = new Date(Date.UTC(year, month - 1 + months + 1, 0)).getUTCDate();
  return Date.UTC(year, month - 1 + months, Math.min(date, last)) / MS_PER_DAY;
}

/** Easter Sunday (anonymous Gregorian algorithm). */
export function easter(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const date = ((h + l - 7 * m + 114) % 31) + 1;
  return dayOf(year, month, date);
}

const FIXED_HOLIDAYS = [
  [1, 1],
  [4, 21],
  [5, 1],
  [9, 7],
  [10, 12],
  [11, 2],
  [11, 15],
  [12, 25]
];

export function holidays(year: number): Set<number> {
  const days = new Set(FIXED_HOLIDAYS.map(([m, d]) => dayOf(year, m, d)));
  if (year >= 2024) days.add(dayOf(year, 11, 20)); // Black Consciousness Day, national since Lei 14.759/2023
  const e = easter(year);
  for (const offset of [-48, -47, -2, 60]) days.add(e + offset); // Carnival Mon/Tue, Good Friday, Corpus Christi
  return days;
}

export class BusinessCalendar {
  // Business-day flags in blocks of 1024 days, computed on first use: the generator asks millions of times.
  private readonly blocks = new Map<number, Uint8Array>();

  isHoliday(day: number): boolean {
    return holidays(yearMonth(day).year).has(day);
  }

  isBusinessDay(day: number): boolean {
    const key = Math.floor(day / 1024);
    let block = this.blocks.get(key);
    if (!block) {
      block = new Uint8Array(1024);
      const first = key * 1024;
      const years = new Map<number, Set<number>>();
      for (let i = 0; i < 1024; i++) {
        const d = first + i;
        const w = weekday(d);
        if (w === 0 || w === 6) continue;
        const year = yearMonth(d).year;
        let set = years.get(year);
        if (!set) years.set(year, (set = holidays(year)));
        block[i] = set.has(d) ? 0 : 1;
      }
      this.blocks.set(key, block);
    }
    return block[day - key * 1024] === 1;
  }

  /** The day itself when it is a business day, else the next one. */
  onOrAfter(day: number): number {
    while (!this.isBusinessDay(day)) day++;
    return day;
  }

  /** The day itself when it is a business day, else the previous one. */
  onOrBefore(day: number): number {
    while (!this.isBusinessDay(day)) day--;
    return day;
  }

  /** How many business days of its month remain after `day` (0 on the month's last business day). */
  businessDaysLeftInMonth(day: number): number {
    const {month} = yearMonth(day);
    let left = 0;
    for (let d = day + 1; yearMonth(d).month === month; d++) if (this.isBusinessDay(d)) left++;
    return left;
  }

  /** Whether no earlier day of its month is a business day. */
  isFirstBusinessDayOfMonth(day: number): boolean {
    const {date} = yearMonth(day);
    for (let d = day - date + 1; d < day; d++) if (this.isBusinessDay(d)) return false;
    return this.isBusinessDay(day);
  }
}
