export const DAY = 86_400;

export function floorDay(t: number): number {
  return Math.floor(t / DAY) * DAY;
}

export interface WindowInput {
  /** The stream's committed cursor (Unix seconds), if any. */
  cursor: number | undefined;
  /** `--start-date`: where a first sync (or a full refresh) begins. */
  startDate: number;
  /** `--lookback-days` in seconds: re-read this much before the cursor. */
  lookbackSeconds: number;
  /** The sync's start in the server's clock: nothing after it is asked for. */
  syncStart: number;
  fullRefresh: boolean;
  /** `--interval-start` / `--interval-end`: a bounded backfill that ignores state. */
  intervalStart?: number;
  intervalEnd?: number;
  /** Contacts: search dates are whole UTC days, so the window starts at midnight. */
  dayAligned: boolean;
}

export interface TimeWindow {
  /** Inclusive start, Unix seconds. */
  start: number;
  /** Exclusive end, Unix seconds. */
  end: number;
}

/** The time range an incremental stream reads this run. */
export function planWindow(input: WindowInput): TimeWindow {
  let start: number;
  let end = input.syncStart + 1;
  if (input.intervalStart !== undefined || input.intervalEnd !== undefined) {
    start = input.intervalStart ?? input.startDate;
    end = Math.min(end, input.intervalEnd ?? end);
  } else if (input.fullRefresh || input.cursor === undefined) {
    start = input.startDate;
  } else {
    start = Math.max(input.startDate, input.cursor - input.lookbackSeconds);
  }
  if (input.dayAligned) start = floorDay(start);
  return { start, end: Math.max(start, end) };
}

/**
 * Splits a window into at most `maxSlices` contiguous slices read in parallel, each at least
 * `minSeconds` long (day-aligned for contacts). A short incremental window stays one slice.
 */
export function sliceWindow(
  window: TimeWindow,
  maxSlices: number,
  minSeconds: number,
  dayAligned: boolean,
): TimeWindow[] {
  const span = window.end - window.start;
  const count = Math.max(1, Math.min(maxSlices, Math.floor(span / Math.max(1, minSeconds))));
  const slices: TimeWindow[] = [];
  let start = window.start;
  for (let k = 1; k <= count; k++) {
    let end = k === count ? window.end : window.start + Math.round((span * k) / count);
    if (dayAligned && k < count) end = floorDay(end);
    if (end <= start) continue;
    slices.push({ start, end });
    start = end;
  }
  if (slices.length === 0) slices.push({ ...window });
  return slices;
}

/**
 * The search query for records with `updated_at` in [start, end), in each model's date rules:
 * contacts truncate dates to the day (`> t` means from the next midnight, `< t` before t's
 * midnight); conversations and tickets read `>` and `<` as or-equal.
 */
export function rangeQuery(
  slice: TimeWindow,
  dates: 'day' | 'inclusive',
  field = 'updated_at',
): Array<{ field: string; operator: string; value: number }> {
  if (dates === 'day') {
    // start and end are midnights (or end is open): > (start - 1 day) ⇒ ≥ start; < end ⇒ < floorDay(end)
    const leaves = [{ field, operator: '>', value: slice.start - DAY }];
    leaves.push({ field, operator: '<', value: dayCeil(slice.end) });
    return leaves;
  }
  return [
    { field, operator: '>', value: slice.start },
    { field, operator: '<', value: slice.end - 1 },
  ];
}

/** The first midnight at or after t. */
function dayCeil(t: number): number {
  const d = floorDay(t);
  return d === t ? d : d + DAY;
}
