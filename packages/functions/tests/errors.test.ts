import { FreshetError } from "@freshet/core";
import { expect, it } from "vitest";
import { describeErrorHierarchy, errorClassesOf } from "../../core/tests/support/error-hierarchy.ts";
import * as errors from "../src/errors.ts";
import * as loadErrors from "../src/load/errors.ts";
import { ClaimReadError, MaintenanceLeaseReadError, ReceiptReadError, WarehouseQueryError } from "../src/load/errors.ts";
import { AnomalyStateConflictError, AnomalyStepInputError, LakeWriteError, RouteNotFoundError, StreamWriteError, TriageInputError, UnauthorizedError, UnreadableDeadLettersError } from "../src/errors.ts";

/** The handlers' errors extend core's `FreshetError`; those the ingest edge answers carry `statusCode`/`expose`. */
describeErrorHierarchy(
  "functions' errors",
  FreshetError,
  [
    { type: StreamWriteError, make: (cause) => new StreamWriteError(2, [1], "1 of 3 events were not accepted", { cause }) },
    { type: LakeWriteError, make: (cause) => new LakeWriteError("writing to s3://lake failed", { cause }) },
    { type: UnauthorizedError, make: (cause) => new UnauthorizedError(403, "invalid API key", { cause }) },
    { type: TriageInputError, make: (cause) => new TriageInputError('unknown dead-letter reason "x"', { cause }) },
    { type: AnomalyStepInputError, make: (cause) => new AnomalyStepInputError("the endpoint returned 3 scores for 4 points", { cause }) },
    { type: AnomalyStateConflictError, make: (cause) => new AnomalyStateConflictError("the state changed 5 times", { cause }) },
    { type: UnreadableDeadLettersError, make: (cause) => new UnreadableDeadLettersError("not a gzip object", { cause }) },
    { type: WarehouseQueryError, make: (cause) => new WarehouseQueryError("statement FAILED", { cause }) },
    { type: ReceiptReadError, make: (cause) => new ReceiptReadError("receipt is not JSON", { cause }) },
    { type: ClaimReadError, make: (cause) => new ClaimReadError("claim is not JSON", { cause }) },
    { type: RouteNotFoundError, make: (cause) => new RouteNotFoundError("no metrics route GET /x", { cause }) },
    { type: MaintenanceLeaseReadError, make: (cause) => new MaintenanceLeaseReadError("lease unreadable", { cause }) },
  ],
  errorClassesOf(errors, loadErrors),
);

it("a stream failure is a 503 exposed to the client, which needs the indexes to resend", () => {
  expect(new StreamWriteError(2, [1], "m")).toMatchObject({ statusCode: 503, expose: true });
});

it("a lake failure is not an HTTP error (the transformer reports it per record)", () => {
  expect(new LakeWriteError("m")).not.toHaveProperty("statusCode");
});
