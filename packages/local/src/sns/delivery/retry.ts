/** How the local service retries HTTP/S deliveries (AWS's default: 3 retries, 20 s apart). */
export interface DeliveryRetryOptions {
  /** Retries after the first attempt; default 3, as AWS. */
  readonly retries?: number;
  /** Delay before the first retry, doubled for each next one; default 1000 ms (locally no one waits 20 s). */
  readonly baseDelayMs?: number;
  /** Cap of the delay; default 20 000 ms, AWS's default maxDelayTarget. */
  readonly maxDelayMs?: number;
  /** An attempt with no answer after this long failed; default 15 000 ms, AWS's HTTP delivery timeout. */
  readonly timeoutMs?: number;
}

export type ResolvedRetryOptions = Required<DeliveryRetryOptions>;

export function resolveRetryOptions(options: DeliveryRetryOptions = {}): ResolvedRetryOptions {
  return {
    retries: options.retries ?? 3,
    baseDelayMs: options.baseDelayMs ?? 1000,
    maxDelayMs: options.maxDelayMs ?? 20_000,
    timeoutMs: options.timeoutMs ?? 15_000,
  };
}

export function retryDelay(options: ResolvedRetryOptions, retry: number): number {
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
}

/**
 * Whether SNS tries again after this answer: yes for server errors, throttling and no answer;
 * no for other client errors (4xx), which SNS treats as permanent.
 */
export function isRetryable(status: number | undefined): boolean {
  return status === undefined || status >= 500 || status === 429;
}

/** Waits `ms`, or less if `signal` aborts (then resolves false). */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
