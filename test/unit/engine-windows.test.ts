import { describe, expect, it } from 'vitest';
import { DAY, floorDay, planWindow, rangeQuery, sliceWindow } from '../../src/engine/windows.js';

const base = {
  startDate: 1_600_000_000,
  lookbackSeconds: 0,
  syncStart: 1_700_000_000,
  fullRefresh: false,
  dayAligned: false,
};

describe('planWindow', () => {
  it('starts at the start date on a first sync and ends just after the sync start', () => {
    expect(planWindow({ ...base, cursor: undefined })).toEqual({
      start: base.startDate,
      end: base.syncStart + 1,
    });
  });
  it('starts at the cursor minus the lookback on an incremental sync', () => {
    expect(planWindow({ ...base, cursor: 1_650_000_000, lookbackSeconds: 3 * DAY })).toEqual({
      start: 1_650_000_000 - 3 * DAY,
      end: base.syncStart + 1,
    });
  });
  it('never starts before the start date', () => {
    expect(planWindow({ ...base, cursor: base.startDate + 10, lookbackSeconds: DAY }).start).toBe(
      base.startDate,
    );
  });
  it('ignores the cursor on a full refresh', () => {
    expect(planWindow({ ...base, cursor: 1_650_000_000, fullRefresh: true }).start).toBe(base.startDate);
  });
  it('starts at the previous UTC midnight for contacts', () => {
    const cursor = 1_650_000_000 + 3600;
    const w = planWindow({ ...base, cursor, dayAligned: true });
    expect(w.start).toBe(floorDay(cursor));
    expect(w.start % DAY).toBe(0);
  });
  it('honours a bounded interval and caps its end at the sync start', () => {
    expect(
      planWindow({
        ...base,
        cursor: 1_690_000_000,
        intervalStart: 1_610_000_000,
        intervalEnd: 1_620_000_000,
      }),
    ).toEqual({ start: 1_610_000_000, end: 1_620_000_000 });
    expect(
      planWindow({ ...base, cursor: undefined, intervalStart: 1_610_000_000, intervalEnd: 1_900_000_000 })
        .end,
    ).toBe(base.syncStart + 1);
  });
});

describe('sliceWindow', () => {
  it('covers the window exactly with contiguous slices', () => {
    const w = { start: 1_000_000, end: 1_000_000 + 30 * DAY + 17 };
    const slices = sliceWindow(w, 8, 6 * 3600, false);
    expect(slices).toHaveLength(8);
    expect(slices[0]?.start).toBe(w.start);
    expect(slices.at(-1)?.end).toBe(w.end);
    for (let k = 1; k < slices.length; k++) expect(slices[k]?.start).toBe(slices[k - 1]?.end);
  });
  it('keeps a short window whole', () => {
    expect(sliceWindow({ start: 0, end: 3600 }, 8, 6 * 3600, false)).toEqual([{ start: 0, end: 3600 }]);
  });
  it('puts inner boundaries on midnights for day-aligned streams', () => {
    const slices = sliceWindow({ start: 10 * DAY, end: 40 * DAY + 5000 }, 7, DAY, true);
    for (const s of slices.slice(0, -1)) expect(s.end % DAY).toBe(0);
    expect(slices.at(-1)?.end).toBe(40 * DAY + 5000);
  });
});

describe('rangeQuery', () => {
  it('asks contacts for whole days: > the day before the start, < the midnight after the end', () => {
    expect(rangeQuery({ start: 10 * DAY, end: 12 * DAY }, 'day')).toEqual([
      { field: 'updated_at', operator: '>', value: 9 * DAY },
      { field: 'updated_at', operator: '<', value: 12 * DAY },
    ]);
    expect(rangeQuery({ start: 10 * DAY, end: 12 * DAY + 5 }, 'day')[1]?.value).toBe(13 * DAY);
  });
  it('asks conversations for [start, end) with or-equal operators', () => {
    expect(rangeQuery({ start: 100, end: 200 }, 'inclusive')).toEqual([
      { field: 'updated_at', operator: '>', value: 100 },
      { field: 'updated_at', operator: '<', value: 199 },
    ]);
  });
});
