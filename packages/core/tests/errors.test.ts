import { describe, expect, it } from "vitest";
import * as errors from "../src/errors.ts";
import { ConfigError, FreshetError, MalformedBodyError, PayloadTooLargeError, ReleasedObjectError, type HttpError } from "../src/errors.ts";
import * as deadLetterErrors from "../src/dead-letters/errors.ts";
import { InvalidDeadLetterError, RedriveRecordError } from "../src/dead-letters/errors.ts";
import * as warehouseErrors from "../src/warehouse/errors.ts";
import { InvalidLoadRequestError, MigrationDriftError, UnsafeSqlValueError } from "../src/warehouse/errors.ts";
import * as maintenanceErrors from "../src/warehouse/maintenance/errors.ts";
import { InvalidMaintenanceLeaseError, InvalidMaintenanceSettingsError, InvalidTableHealthError } from "../src/warehouse/maintenance/errors.ts";
import * as metricsApiErrors from "../src/metrics-api/errors.ts";
import { MetricsQueryError } from "../src/metrics-api/errors.ts";
import { describeErrorHierarchy, errorClassesOf } from "./support/error-hierarchy.ts";

/** Core's errors: one base, `FreshetError`, which every other package's hierarchy roots in too. */
describeErrorHierarchy(
  "core's errors",
  FreshetError,
  [
    { type: FreshetError, make: (cause) => new FreshetError("failed", { cause }) },
    { type: ConfigError, make: (cause) => new ConfigError("FRESHET_X must be a positive number", { cause }) },
    { type: MalformedBodyError, make: (cause) => new MalformedBodyError("malformed_json", "the body is not valid JSON", { cause }) },
    { type: PayloadTooLargeError, make: (cause) => new PayloadTooLargeError("body", 10, "body is 11 bytes", { cause }) },
    { type: ReleasedObjectError, make: (cause) => new ReleasedObjectError("read after release", { cause }) },
    { type: UnsafeSqlValueError, make: (cause) => new UnsafeSqlValueError("not a plain identifier", { cause }) },
    { type: InvalidLoadRequestError, make: (cause) => new InvalidLoadRequestError("statement_too_long", "too long", { cause }) },
    { type: MigrationDriftError, make: (cause) => new MigrationDriftError(3, "migration 3 was edited", { cause }) },
    { type: InvalidDeadLetterError, make: (cause) => new InvalidDeadLetterError("line 2 is not a dead letter", { cause }) },
    { type: RedriveRecordError, make: (cause) => new RedriveRecordError("not a redrive envelope", { cause }) },
    { type: InvalidMaintenanceSettingsError, make: (cause) => new InvalidMaintenanceSettingsError("statsOffPct must be 0..100", { cause }) },
    { type: InvalidTableHealthError, make: (cause) => new InvalidTableHealthError("unsorted is not a number", { cause }) },
    { type: InvalidMaintenanceLeaseError, make: (cause) => new InvalidMaintenanceLeaseError("the lease is not JSON", { cause }) },
    { type: MetricsQueryError, make: (cause) => new MetricsQueryError("invalid_bucket", "bucket", "bucket must be one of minute, hour, day", { cause }) },
  ],
  errorClassesOf(errors, warehouseErrors, deadLetterErrors, maintenanceErrors, metricsApiErrors),
);

describe("ingest request errors as HTTP answers", () => {
  it("a malformed body is exposed as 400 with its reason", () => {
    const error: HttpError = new MalformedBodyError("empty_body", "the body holds no events");
    expect(error).toMatchObject({ statusCode: 400, expose: true });
    expect(JSON.stringify(error.responseBody)).toBe('{"error":"empty_body","message":"the body holds no events"}');
  });

  it("a payload over a limit is exposed as 413 naming the limit and its maximum", () => {
    const error: HttpError = new PayloadTooLargeError("count", 500, "501 events in one request; the limit is 500");
    expect(error).toMatchObject({ statusCode: 413, expose: true });
    expect(JSON.stringify(error.responseBody)).toBe(
      '{"error":"payload_too_large","limit":"count","max":500,"message":"501 events in one request; the limit is 500"}',
    );
  });
});

describe("metrics API errors as HTTP answers", () => {
  it("a bad parameter is exposed as 400 with its reason and parameter", () => {
    const error: HttpError = new MetricsQueryError("range_too_long", "to", "too long");
    expect(error).toMatchObject({ statusCode: 400, expose: true });
    expect(error.responseBody).toEqual({ message: "too long", reason: "range_too_long", parameter: "to" });
  });

  it("a view that does not exist is 404", () => {
    expect(new MetricsQueryError("unknown_view", "view", "no such view").statusCode).toBe(404);
  });
});
