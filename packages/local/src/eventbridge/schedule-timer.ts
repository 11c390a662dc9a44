import type { Timer, TimerClock } from "./clock.ts";

export interface ScheduledJob {
  stop(): void;
}

/**
 * Runs `fire(at)` at each time `next` yields, one timer at a time: after a firing, the next time
 * is computed from the time just fired (not from when the timer ran), so a schedule does not drift
 * and a late timer does not skip a slot. Times already past when armed fire at once.
 */
export function runSchedule(
  clock: TimerClock,
  next: (after: number) => number | undefined,
  fire: (at: number) => void,
  from: number = clock.now(),
): ScheduledJob {
  let timer: Timer | undefined;
  let stopped = false;
  const arm = (after: number) => {
    const at = next(after);
    if (at === undefined || stopped) return;
    timer = clock.setTimer(Math.max(0, at - clock.now()), () => {
      if (stopped) return;
      fire(at);
      arm(at);
    });
  };
  arm(from);
  return {
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}
