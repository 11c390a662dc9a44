import { useEffect, useState } from "preact/hooks";
import { getJson } from "./api.ts";

export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
}

/** Live updates: GETs `path` now and every `intervalMs` (2 s) while mounted; a new path starts over. */
export function usePoll<T>(path: string | undefined, intervalMs = 2000): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ data: undefined, error: undefined });
  useEffect(() => {
    if (path === undefined) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState({ data: undefined, error: undefined });
    // The next request waits for the answer: a slow read never piles up requests.
    const tick = async () => {
      try {
        const data = await getJson<T>(path);
        if (live) setState({ data, error: undefined });
      } catch (error) {
        if (live) setState((s) => ({ data: s.data, error: error as Error }));
      }
      if (live) timer = setTimeout(tick, intervalMs);
    };
    void tick();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [path, intervalMs]);
  return state;
}
