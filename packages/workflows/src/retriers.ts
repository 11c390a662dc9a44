import type { Retrier } from "./asl.ts";

/* The retry policies the workflows share: one definition each, so a change reaches every Task. */

/** Throttling and Data API concurrency limits pass; they are retried with backoff. */
export const THROTTLED: Retrier = {
  ErrorEquals: [
    "RedshiftData.ThrottlingException",
    "RedshiftData.ActiveStatementsExceededException",
    "RedshiftData.ActiveSessionsExceededException",
    "RedshiftData.InternalServerException",
  ],
  IntervalSeconds: 5,
  BackoffRate: 2,
  MaxAttempts: 5,
  MaxDelaySeconds: 60,
  JitterStrategy: "FULL",
};

/** A task that timed out or failed for a reason of its own: tried again a few times. */
export const TRANSIENT: Retrier = {
  ErrorEquals: ["States.Timeout", "States.TaskFailed"],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 3,
  MaxDelaySeconds: 20,
  JitterStrategy: "FULL",
};

/** Lambda's own service errors (not the function's): retried, as AWS recommends for every Lambda task. */
export const LAMBDA_TRANSIENT: Retrier = {
  ErrorEquals: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 4,
  MaxDelaySeconds: 30,
  JitterStrategy: "FULL",
};
