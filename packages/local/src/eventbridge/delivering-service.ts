import { join } from "node:path";
import { systemClock, type TimerClock } from "./clock.ts";
import { createDeliveryEngine, type DeliveryEngine, type DeliveryLogEntry, type RetryPolicy } from "./delivery.ts";
import { JsonFile } from "./json-file.ts";
import type { LocalFunctions } from "./target-kinds.ts";

/** What EventBridge and EventBridge Scheduler are made with: both deliver to the same kinds of targets. */
export interface DeliveringServiceOptions {
  /** State lives in `<dataDir>/<service folder>/` and survives a restart. */
  readonly dataDir: string;
  /** The endpoint targets are called through (a getter: the endpoint starts after its services). */
  readonly endpointUrl: () => string;
  readonly region?: string;
  readonly accountId?: string;
  /** Real timers by default; tests pass a `TestClock`. */
  readonly clock?: TimerClock;
  /** The local function registry Lambda targets are looked up in (by function name). */
  readonly functions?: LocalFunctions;
  readonly retry?: Partial<RetryPolicy>;
  readonly log?: (entry: DeliveryLogEntry) => void;
  /** A delivery engine shared with the other service; by default the service makes its own. */
  readonly delivery?: DeliveryEngine;
}

export interface DeliveringServiceBase<S> {
  readonly region: string;
  readonly accountId: string;
  readonly clock: TimerClock;
  readonly file: JsonFile<S>;
  readonly state: S;
  readonly delivery: DeliveryEngine;
}

/**
 * The parts both services set up alike: account, clock, the state file under
 * `<dataDir>/<folder>/state.json` (`initial` when absent), and the delivery engine (the given
 * one, or its own with given-up deliveries in `<folder>/failed-deliveries.jsonl`).
 */
export function openDeliveringService<S>(options: DeliveringServiceOptions, folder: string, initial: S): DeliveringServiceBase<S> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const clock = options.clock ?? systemClock;
  const file = new JsonFile<S>(join(options.dataDir, folder, "state.json"));
  const state = file.load(initial);
  const delivery =
    options.delivery ??
    createDeliveryEngine({
      endpointUrl: options.endpointUrl,
      region,
      accountId,
      clock,
      functions: options.functions,
      retry: options.retry,
      log: options.log,
      deadLetterFile: join(options.dataDir, folder, "failed-deliveries.jsonl"),
    });
  return { region, accountId, clock, file, state, delivery };
}
