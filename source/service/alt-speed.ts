// Turtle mode (Transmission's alternate speed limits): other global limits, switched by hand or
// by a schedule of minutes of the day on chosen days.

/** The alternate limits and their schedule, as Transmission's alt-speed-* session fields hold them. */
export interface AltSpeed {
  /** Bytes/s while turtle mode is on; 0 = none. */
  readonly download: number;
  readonly upload: number;
  readonly enabled: boolean;
  /** The schedule switches it on at `begin` and off at `end`. */
  readonly scheduled: boolean;
  /** Minutes since local midnight; end before begin spans midnight. */
  readonly begin: number;
  readonly end: number;
  /** Days it switches on: Sunday 1, Monday 2, ... Saturday 64 (127 every day). */
  readonly days: number;
}

export const DEFAULT_ALT_SPEED: AltSpeed = {
  download: 50 * 1024,
  upload: 50 * 1024,
  enabled: false,
  scheduled: false,
  begin: 9 * 60,
  end: 17 * 60,
  days: 127,
};

const MINUTES_A_DAY = 24 * 60;

/**
 * Whether `now` (local time) lies in the schedule's window. A window spanning midnight belongs
 * to the day it began on: 22:00-06:00 on Fridays covers Friday night and early Saturday.
 */
export function inAltSpeedWindow(schedule: Pick<AltSpeed, 'begin' | 'end' | 'days'>, now: Date): boolean {
  const minute = now.getHours() * 60 + now.getMinutes();
  const { begin, end } = schedule;
  let day = now.getDay();
  let inside: boolean;
  if (begin < end) inside = begin <= minute && minute < end;
  else if (begin > end) {
    inside = minute >= begin || minute < end;
    if (minute < end) day = (day + 6) % 7;
  } else inside = false;
  return inside && (schedule.days & (1 << day)) !== 0;
}

/** A patch made sane: limits whole bytes/s from 0, minutes of the day, days a 7-bit mask. */
export function normalizeAltSpeed(current: AltSpeed, patch: Partial<AltSpeed>): AltSpeed {
  const rate = (v: number | undefined, was: number) => (v === undefined || !Number.isFinite(v) ? was : Math.max(0, Math.round(v)));
  const minute = (v: number | undefined, was: number) =>
    v === undefined || !Number.isFinite(v) ? was : Math.max(0, Math.min(MINUTES_A_DAY - 1, Math.floor(v)));
  return {
    download: rate(patch.download, current.download),
    upload: rate(patch.upload, current.upload),
    enabled: patch.enabled ?? current.enabled,
    scheduled: patch.scheduled ?? current.scheduled,
    begin: minute(patch.begin, current.begin),
    end: minute(patch.end, current.end),
    days: patch.days === undefined || !Number.isFinite(patch.days) ? current.days : Math.floor(patch.days) & 127,
  };
}
