import type { Clock, HistoryEvent } from "../contract.ts";

/**
 * One line of causality in the history: the top level, a Map iteration, a Parallel branch.
 * AWS's `previousEventId` points at the event that led to this one in the same line, not simply at
 * the event before (iterations interleave), so each line remembers its own last event.
 */
export class Thread {
  last: number;
  constructor(last: number) {
    this.last = last;
  }
}

export interface AddOptions {
  /** False for events that close a sub-line without moving it (AWS: MapIterationSucceeded, MapStateSucceeded…). */
  readonly advance?: boolean;
  /** Overrides the line's last event as `previousEventId`. */
  readonly previous?: number;
}

/** Numbers events, stamps them with the clock and hands them to the service, in order. */
export class History {
  readonly #emit: (event: HistoryEvent) => void;
  readonly #clock: Clock;
  #nextId: number;

  constructor(emit: (event: HistoryEvent) => void, clock: Clock, firstId: number) {
    this.#emit = emit;
    this.#clock = clock;
    this.#nextId = firstId;
  }

  get nextId(): number {
    return this.#nextId;
  }

  /** `detailsKey` is AWS's member name (`taskScheduledEventDetails`…); omitted for events without details. */
  add(thread: Thread, type: string, detailsKey?: string, details?: Record<string, unknown>, options?: AddOptions): number {
    const id = this.#nextId++;
    const event: HistoryEvent = {
      id,
      previousEventId: options?.previous ?? thread.last,
      timestamp: this.#clock.now(),
      type,
      ...(detailsKey && details ? { [detailsKey]: details } : {}),
    };
    if (options?.advance !== false) thread.last = id;
    this.#emit(event);
    return id;
  }
}

/** State input/output as AWS reports it in history: JSON text, never truncated locally. */
export function dataDetails(kind: "input" | "output", value: unknown, text: string = JSON.stringify(value ?? null)): Record<string, unknown> {
  return { [kind]: text, [`${kind}Details`]: { truncated: false } };
}
