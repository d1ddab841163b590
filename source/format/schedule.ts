// The turtle schedule's times and days as people type and read them: "09:00", "weekdays", "sat,sun".
// Days are Transmission's alt-speed-time-day mask: Sunday 1, Monday 2, ... Saturday 64.

export const EVERY_DAY = 127;
export const WEEKDAYS = 62;
export const WEEKENDS = 65;
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Minutes since midnight as HH:MM. */
export function minuteText(minute: number): string {
  const m = Math.max(0, Math.min(24 * 60 - 1, Math.floor(minute)));
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** "9:30", "09:30", "21" (an hour) as minutes since midnight, or why not. */
export function parseMinuteOfDay(text: string): { value: number } | { error: string } {
  const m = /^(\d{1,2})(?::(\d{2}))?$/.exec(text.trim());
  const hours = m ? Number(m[1]) : NaN;
  const minutes = m?.[2] === undefined ? 0 : Number(m[2]);
  if (!m || hours > 23 || minutes > 59) return { error: `'${text.trim()}' is not a time of day (HH:MM, 00:00 to 23:59)` };
  return { value: hours * 60 + minutes };
}

/** A day mask in words: "every day", "weekdays", "weekends", "mon,wed", "never". */
export function daysText(mask: number): string {
  if ((mask & EVERY_DAY) === EVERY_DAY) return 'every day';
  if ((mask & EVERY_DAY) === WEEKDAYS) return 'weekdays';
  if ((mask & EVERY_DAY) === WEEKENDS) return 'weekends';
  const days = DAY_NAMES.filter((_, i) => mask & (1 << i));
  return days.length === 0 ? 'never' : days.join(',');
}

/** "every day", "weekdays", "weekends" or day names ("sat,sun", "Monday tuesday") as a day mask, or why not. */
export function parseDays(text: string): { value: number } | { error: string } {
  const t = text.trim().toLowerCase();
  if (t === 'every day' || t === 'everyday' || t === 'all' || t === 'daily') return { value: EVERY_DAY };
  if (t === 'weekdays' || t === 'weekday') return { value: WEEKDAYS };
  if (t === 'weekends' || t === 'weekend') return { value: WEEKENDS };
  let mask = 0;
  for (const word of t.split(/[\s,]+/).filter(Boolean)) {
    const day = DAY_NAMES.findIndex((d) => word.startsWith(d) && d.startsWith(word.slice(0, 3)));
    if (day < 0) return { error: `'${word}' is not a day (every day, weekdays, weekends, or names like sat,sun)` };
    mask |= 1 << day;
  }
  if (mask === 0) return { error: 'name the days: every day, weekdays, weekends, or names like sat,sun' };
  return { value: mask };
}

export interface ScheduleText {
  scheduled: boolean;
  begin?: number;
  end?: number;
  days?: number;
}

/** The schedule in one line: "22:00-06:30 weekends" (on), or "off (09:00-17:00 every day)". */
export function scheduleText(s: { scheduled: boolean; begin: number; end: number; days: number }): string {
  const window = `${minuteText(s.begin)}-${minuteText(s.end)} ${daysText(s.days)}`;
  return s.scheduled ? window : `off (${window})`;
}

/** "off", "on" (the window kept), or "HH:MM-HH:MM [days]" (days: every day when left out), or why not. */
export function parseSchedule(text: string): { value: ScheduleText } | { error: string } {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/\s*\(.*\)$/, '');
  if (t === 'off' || t === 'on') return { value: { scheduled: t === 'on' } };
  const m = /^(\S+?)\s*-\s*(\S+)(?:\s+(.+))?$/.exec(t);
  if (!m) return { error: `'${text.trim()}': type off, on, or a window like 22:00-06:30 weekends` };
  const begin = parseMinuteOfDay(m[1]!);
  if ('error' in begin) return begin;
  const end = parseMinuteOfDay(m[2]!);
  if ('error' in end) return end;
  const days = m[3] === undefined ? { value: EVERY_DAY } : parseDays(m[3]);
  if ('error' in days) return days;
  return { value: { scheduled: true, begin: begin.value, end: end.value, days: days.value } };
}
