import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { TimerClock } from "./clock.ts";
import { DeliveryError } from "./errors.ts";
import { createTargetInvoker, type TargetCall, type TargetClients } from "./target-kinds.ts";

/**
 * Delivery of rule and schedule invocations to their targets, shared by EventBridge and
 * Scheduler. AWS keeps retrying a failing target for 24 hours (185 attempts, EventBridge) with
 * exponential backoff; locally a delivery is tried `attempts` times (default 4: at once, then after
 * 1 s, 2 s and 4 s by the clock) and then given up. Errors AWS would not retry either (a missing
 * state machine or topic, a refused input: 4xx answers) are given up at once. Given-up deliveries
 * are logged and appended to `deadLetterFile` (JSON lines) when one is set.
 */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const LOCAL_RETRY_POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 1_000, maxDelayMs: 60_000 };

export interface DeliveryLogEntry {
  readonly outcome: "delivered" | "retrying" | "failed";
  /** The rule or schedule that sent it. */
  readonly source: string;
  readonly target: string;
  readonly attempt: number;
  readonly error?: string;
}

export interface DeliveryOptions extends TargetClients {
  readonly clock: TimerClock;
  readonly retry?: Partial<RetryPolicy>;
  /** Told of every attempt's outcome; default: failures and retries to stderr. */
  readonly log?: (entry: DeliveryLogEntry) => void;
  readonly deadLetterFile?: string;
}

export interface DeliveryRequest extends TargetCall {
  readonly source: string;
}

export interface DeliveryEngine {
  /** Starts a delivery (with its retries); resolves when it is delivered or given up. */
  send(request: DeliveryRequest): Promise<boolean>;
  /**
   * Resolves when no attempt is under way: every delivery is delivered, given up, or waiting for
   * its next retry on the clock (a test advances the clock to run it).
   */
  idle(): Promise<void>;
  /** Deliveries waiting for a retry. */
  readonly waiting: number;
  close(): void;
}

export function createDeliveryEngine(options: DeliveryOptions): DeliveryEngine {
  const policy: RetryPolicy = { ...LOCAL_RETRY_POLICY, ...options.retry };
  const invoker = createTargetInvoker(options);
  const log = options.log ?? defaultLog;
  let closed = false;
  let active = 0;
  let waiting = 0;
  let idleWaiters: (() => void)[] = [];
  const busy = (delta: number) => {
    active += delta;
    if (active === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      waiting++;
      busy(-1);
      options.clock.setTimer(ms, () => {
        waiting--;
        busy(+1);
        resolve();
      });
    });

  const attemptAll = async (request: DeliveryRequest): Promise<boolean> => {
    for (let attempt = 1; ; attempt++) {
      if (closed) return false;
      try {
        await invoker.invoke(request);
        log({ outcome: "delivered", source: request.source, target: request.arn, attempt });
        return true;
      } catch (error) {
        const failure = error instanceof DeliveryError ? error : new DeliveryError(String(error), { retryable: true, cause: error });
        const last = !failure.retryable || attempt >= policy.attempts;
        log({ outcome: last ? "failed" : "retrying", source: request.source, target: request.arn, attempt, error: failure.message });
        if (last) {
          deadLetter(options.deadLetterFile, request, failure, attempt, options.clock.now());
          return false;
        }
        await wait(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
      }
    }
  };

  return {
    send(request) {
      busy(+1);
      const run = attemptAll(request);
      void run.finally(() => busy(-1));
      return run;
    },
    idle() {
      return active === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
    },
    get waiting() {
      return waiting;
    },
    close() {
      closed = true;
      invoker.close();
    },
  };
}

function defaultLog(entry: DeliveryLogEntry): void {
  if (entry.outcome === "delivered") return;
  console.warn(`[delivery] ${entry.outcome} ${entry.source} → ${entry.target} (attempt ${entry.attempt}): ${entry.error}`);
}

function deadLetter(file: string | undefined, request: DeliveryRequest, error: Error, attempts: number, now: number): void {
  if (!file) return;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const { event: _event, ...call } = request;
    appendFileSync(file, `${JSON.stringify({ time: new Date(now).toISOString(), attempts, error: error.message, ...call })}\n`);
  } catch {
    // Losing the record of a failure must not take the delivery engine down.
  }
}
