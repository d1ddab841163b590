// Turtle mode: the schedule as a pure function of the local time, and the limits in force as it switches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inAltSpeedWindow, type AltSpeed } from '../../source/service/alt-speed.js';
import { GlobalSettings } from '../../source/service/global-settings.js';
import {
  daysText,
  minuteText,
  parseDays,
  parseMinuteOfDay,
  parseSchedule,
  scheduleText,
  WEEKDAYS,
  WEEKENDS,
} from '../../source/format/schedule.js';

/** Local time: 2026-01-05 is a Monday. */
const at = (day: number, hours: number, minutes = 0) => new Date(2026, 0, 4 + day, hours, minutes);
const SUN = 0;
const MON = 1;
const TUE = 2;
const WED = 3;
const FRI = 5;
const SAT = 6;

test('the window: begin inclusive, end exclusive, on the days of the mask', () => {
  const office = { begin: 9 * 60, end: 17 * 60, days: WEEKDAYS };
  assert.equal(inAltSpeedWindow(office, at(MON, 8, 59)), false);
  assert.equal(inAltSpeedWindow(office, at(MON, 9, 0)), true);
  assert.equal(inAltSpeedWindow(office, at(MON, 16, 59)), true);
  assert.equal(inAltSpeedWindow(office, at(MON, 17, 0)), false);
  assert.equal(inAltSpeedWindow(office, at(SAT, 12)), false, 'not on a weekend');
  assert.equal(inAltSpeedWindow({ ...office, days: 127 }, at(SAT, 12)), true);
  assert.equal(inAltSpeedWindow({ ...office, days: 0 }, at(MON, 12)), false, 'no day: never');
  assert.equal(inAltSpeedWindow({ begin: 600, end: 600, days: 127 }, at(MON, 10)), false, 'an empty window');
});

test('a window across midnight belongs to the day it began on', () => {
  const fridayNight = { begin: 22 * 60, end: 6 * 60, days: 1 << FRI };
  assert.equal(inAltSpeedWindow(fridayNight, at(FRI, 21, 59)), false);
  assert.equal(inAltSpeedWindow(fridayNight, at(FRI, 23)), true);
  assert.equal(inAltSpeedWindow(fridayNight, at(SAT, 5, 59)), true, "Saturday's small hours are Friday's night");
  assert.equal(inAltSpeedWindow(fridayNight, at(SAT, 6)), false);
  assert.equal(inAltSpeedWindow(fridayNight, at(SAT, 23)), false, 'Saturday night is not Friday');
  assert.equal(inAltSpeedWindow(fridayNight, at(FRI, 3)), false, "Friday's small hours are Thursday's night");
  const weekend = { begin: 20 * 60, end: 8 * 60, days: WEEKENDS };
  assert.equal(inAltSpeedWindow(weekend, at(MON, 7)), true, 'Sunday night runs into Monday morning');
  assert.equal(inAltSpeedWindow(weekend, at(SUN, 7)), true, 'Saturday night runs into Sunday morning');
  assert.equal(inAltSpeedWindow(weekend, at(SAT, 7)), false);
});

test('times and days as typed and shown', () => {
  assert.deepEqual(parseMinuteOfDay('9:30'), { value: 570 });
  assert.deepEqual(parseMinuteOfDay(' 21 '), { value: 1260 });
  assert.match((parseMinuteOfDay('24:00') as { error: string }).error, /not a time of day/);
  assert.match((parseMinuteOfDay('9h') as { error: string }).error, /HH:MM/);
  assert.equal(minuteText(570), '09:30');
  assert.deepEqual(parseDays('weekdays'), { value: WEEKDAYS });
  assert.deepEqual(parseDays('Sat, sunday'), { value: WEEKENDS });
  assert.deepEqual(parseDays('every day'), { value: 127 });
  assert.match((parseDays('someday') as { error: string }).error, /'someday' is not a day/);
  assert.match((parseDays('') as { error: string }).error, /name the days/);
  assert.equal(daysText(WEEKENDS), 'weekends');
  assert.equal(daysText((1 << MON) | (1 << FRI)), 'mon,fri');
  assert.equal(daysText(0), 'never');
  assert.deepEqual(parseSchedule('22:00-6:30 weekends'), { value: { scheduled: true, begin: 1320, end: 390, days: WEEKENDS } });
  assert.deepEqual(parseSchedule('9-17'), { value: { scheduled: true, begin: 540, end: 1020, days: 127 } }, 'every day unless named');
  assert.deepEqual(parseSchedule('off (09:00-17:00 every day)'), { value: { scheduled: false } }, 'the text as shown reads back');
  assert.match((parseSchedule('tonight') as { error: string }).error, /type off, on, or a window/);
  assert.equal(scheduleText({ scheduled: true, begin: 1320, end: 390, days: WEEKENDS }), '22:00-06:30 weekends');
});

function globals(altSpeed?: Partial<AltSpeed>) {
  const applied: { download?: number; upload?: number }[] = [];
  const saved: AltSpeed[] = [];
  const logged: string[] = [];
  let changes = 0;
  const g = new GlobalSettings(
    {
      session: { setLimits: (l) => void applied.push(l), port: 0, dht: undefined },
      queue: { maxActive: 0, setMaxActive: () => {} },
      saveSettings: (change) => void (change.altSpeed && saved.push(change.altSpeed)),
      log: (text) => void logged.push(text),
      changed: () => void changes++,
    },
    { downloadDirectory: '/d', limits: { download: 1_000_000, upload: 500_000 }, altSpeed },
  );
  return { g, applied, saved, logged, changes: () => changes };
}

test('turtle mode puts its limits in force and takes them back; the usual limits change underneath', () => {
  const { g, applied, saved } = globals({ download: 10_000, upload: 0 });
  assert.deepEqual(applied.at(-1), { download: 1_000_000, upload: 500_000 });
  g.setAltSpeed({ enabled: true });
  assert.deepEqual(applied.at(-1), { download: 10_000, upload: 0 }, '0 = no limit in turtle mode too');
  assert.equal(saved.at(-1)?.enabled, true, 'saved for the next start');
  g.setLimits({ download: 2_000_000 });
  assert.deepEqual(applied.at(-1), { download: 10_000, upload: 0 }, 'a usual limit set meanwhile waits');
  g.setAltSpeed({ enabled: false });
  assert.deepEqual(applied.at(-1), { download: 2_000_000, upload: 500_000 });
  assert.equal(g.global({ downloadRate: 0, uploadRate: 0, connections: 0 }, 0).altSpeed.enabled, false);
  const n = applied.length;
  g.setAltSpeed({ enabled: false });
  assert.equal(applied.length, n, 'no change, nothing applied or saved');
});

test('the schedule switches at the edges; the key overrides until the next edge', () => {
  const { g, applied, logged } = globals({ download: 10_000, upload: 10_000, scheduled: true, begin: 9 * 60, end: 17 * 60, days: 127 });
  g.checkSchedule(at(MON, 8));
  assert.equal(g.altSpeed.enabled, false);
  g.checkSchedule(at(MON, 9));
  assert.equal(g.altSpeed.enabled, true, 'into the window: on');
  assert.deepEqual(applied.at(-1), { download: 10_000, upload: 10_000 });
  assert.match(logged.at(-1)!, /turtle mode on \(schedule\)/);
  g.setAltSpeed({ enabled: false });
  g.checkSchedule(at(MON, 10));
  assert.equal(g.altSpeed.enabled, false, 'switched off by hand inside the window: stays off');
  g.checkSchedule(at(MON, 17));
  g.setAltSpeed({ enabled: true });
  g.checkSchedule(at(MON, 18));
  assert.equal(g.altSpeed.enabled, true, 'switched on by hand outside: stays on');
  g.checkSchedule(at(TUE, 9));
  g.checkSchedule(at(TUE, 17));
  assert.equal(g.altSpeed.enabled, false, 'the next edge out switches it off');
  g.setAltSpeed({ scheduled: false });
  g.checkSchedule(at(WED, 10));
  assert.equal(g.altSpeed.enabled, false, 'no schedule: nothing switches');
});
