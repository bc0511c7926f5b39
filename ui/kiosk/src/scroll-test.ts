// The installer's scrolling test (admin → Display): the browse list scrolls by itself for a few
// seconds at a brisk finger's pace while every frame's interval is timed, on this mirror's own
// screen and GPU. The same measure as `bench-browse` (tests/src/bin/bench-browse.rs), for hardware
// where no developer tools run.

export interface ScrollStats {
  frames: number;
  /** Frame intervals, ms. */
  p50: number;
  p95: number;
  /** Frames drawn per second over the run. */
  fps: number;
}

/** Smooth means the display's rate: at 60 Hz, 95 % of frames within 20 ms. */
export const SMOOTH_P95_MS = 20;

/** Pixels per frame: ~720 px/s at 60 Hz. */
const STEP_PX = 12;

/** The percentile `p` (0–1) of the ascending `sorted`. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** Statistics of frame intervals (ms), in any order. */
export function scrollStats(intervals: number[]): ScrollStats {
  const sorted = [...intervals].sort((a, b) => a - b);
  const total = intervals.reduce((a, b) => a + b, 0);
  return {
    frames: intervals.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    fps: total > 0 ? (intervals.length * 1000) / total : 0,
  };
}

export function isSmooth(s: ScrollStats): boolean {
  return s.frames > 0 && s.p95 <= SMOOTH_P95_MS;
}

/**
 * Scrolls `box` for `ms`, one step per frame. Near the end it asks for more (`more` returns
 * whether it will add rows) or starts again from the top, so any catalog size keeps scrolling.
 */
export function measureScroll(box: HTMLElement, ms: number, more: () => boolean): Promise<ScrollStats> {
  return new Promise((done) => {
    const gaps: number[] = [];
    let last = -1;
    let end = 0;
    const step = (now: number): void => {
      if (last < 0) end = now + ms;
      else gaps.push(now - last);
      last = now;
      box.scrollTop += STEP_PX;
      if (box.scrollTop + box.clientHeight >= box.scrollHeight - 50 && !more()) box.scrollTop = 0;
      if (now < end) requestAnimationFrame(step);
      else done(scrollStats(gaps));
    };
    requestAnimationFrame(step);
  });
}
