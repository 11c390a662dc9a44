import { LOAD_INCIDENT_KEYS } from "@freshet/core";
import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import type { ChoiceState, TaskState } from "../src/asl.ts";
import { Load } from "../src/load.ts";
import { CI_RESOURCES } from "./support/resources.ts";

/**
 * The Load's incident states on their own: which failure opens which incident, which S3 answers
 * mean "already open" (no alert), and the recovery notice's wording. The end-to-end behaviour is
 * in packages/local/tests/faults/warehouse-outage.test.ts and warehouse/load-workflow.test.ts.
 */
const states = Load.definition(CI_RESOURCES).States;
const open = states.AlertLoadFailed as TaskState;
const alreadyOpen = states.IncidentAlreadyOpen as ChoiceState;

/** Evaluates a `{% … %}` field with the given variables. */
const evaluate = (field: unknown, bindings: Record<string, unknown>) => jsonata(String(field).slice(2, -2)).evaluate({}, bindings) as Promise<unknown>;

describe("Load incidents", () => {
  it("creates the marker only if absent, keyed by the failure's kind: load errors are a rejected file, anything else an outage", async () => {
    expect(open.Resource).toBe("arn:aws:states:::aws-sdk:s3:putObject");
    const args = open.Arguments as Record<string, unknown>;
    expect(args.IfNoneMatch).toBe("*");
    expect(await evaluate(args.Key, { loadErrors: [] })).toBe(LOAD_INCIDENT_KEYS.outage);
    expect(await evaluate(args.Key, { loadErrors: ["s3://lake/processed/x line 2 column data: bad"] })).toBe(LOAD_INCIDENT_KEYS.rejected);
  });

  it("never retries a failed precondition (an answer, not a fault), then tells it apart from other S3 errors", () => {
    expect(open.Retry?.[0]).toEqual({ ErrorEquals: ["S3.PreconditionFailedException", "S3.S3Exception"], MaxAttempts: 0 });
    expect(open.Catch?.[0]).toMatchObject({ ErrorEquals: ["S3.PreconditionFailedException", "S3.S3Exception"], Next: "IncidentAlreadyOpen" });
  });

  it.each([
    ["S3.S3Exception", "At least one of the pre-conditions you specified did not hold (Service: S3, Status Code: 412, Request ID: x)", "FailedWithClaim"],
    ["S3.PreconditionFailedException", "At least one of the pre-conditions you specified did not hold", "FailedWithClaim"],
    ["S3.S3Exception", "A conflicting conditional operation is currently in progress (Service: S3, Status Code: 409, Request ID: x)", "FailedWithClaim"],
    ["S3.S3Exception", "Access Denied (Service: S3, Status Code: 403, Request ID: x)", "PublishLoadFailed"],
  ])("%s %j → %s", async (error, cause, next) => {
    const rule = alreadyOpen.Choices[0]!;
    const matched = (await evaluate(rule.Condition, { incidentError: { Error: error, Cause: cause } })) === true;
    expect(matched ? rule.Next : alreadyOpen.Default).toBe(next);
  });

  it("publishes the recovery notice with how long loads failed and the backlog", async () => {
    const args = (states.AnnounceRecovery as TaskState).Arguments as Record<string, unknown>;
    const now = Date.UTC(2026, 11, 7, 18, 2, 30);
    const closed = [{ kind: "outage", openedAt: "2026-12-07T12:00:00.000Z", step: "Plan", error: "Lambda.Unknown" }];
    const expression = jsonata(String(args.Message).slice(2, -2));
    expression.registerFunction("millis", () => now);
    const message = await expression.evaluate({}, { closed, plan: { pending: 40, objects: 8, loadId: "load-1" }, states: { context: { Execution: { Id: "arn:exec" } } } });
    expect(message).toBe(
      "Warehouse loads recovered after 6 h 2 min; at least 40 objects backlog (this load took the oldest 8; the next runs load the rest, oldest first)." +
        " Closed: outage since 2026-12-07T12:00:00.000Z (first failure at Plan: Lambda.Unknown). Execution arn:exec.",
    );
  });

  it("grants create, read and delete on the two markers only", () => {
    const lake = `arn:aws:s3:::${CI_RESOURCES.lakeBucket}/`;
    expect(Load.permissions(CI_RESOURCES)).toContainEqual({
      actions: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
      resources: [`${lake}${LOAD_INCIDENT_KEYS.outage}`, `${lake}${LOAD_INCIDENT_KEYS.rejected}`],
    });
  });
});
