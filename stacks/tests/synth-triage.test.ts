/**
 * stacks/triage.ts under the mock synthesis: the DeadLetterTriager and TriageDebounce functions
 * with least privilege, and the rule on the default bus that sends the lake's dead-letter
 * "Object Created" events to TriageDebounce. (The workflow itself, its role and its hourly sweep
 * are checked with every workflow in synth-workflows.test.ts.)
 */
import { DEFAULT_TRIAGE_SETTINGS, TRIAGE_LEASE_KEY } from "@freshet/core";
import { deadLetterLandedPattern, ruleName, type WorkflowResources } from "@freshet/workflows";
import { beforeAll, describe, expect, it } from "vitest";
import { synth, type SynthResult } from "./harness/synth.ts";

let result: SynthResult;
beforeAll(async () => {
  result = await synth({ stage: "ci", secrets: { IngestApiKey: "ci-key", MetricsApiKey: "ci-metrics-key" } });
});

const r = () => result.resources;
const ROLE = "aws:iam/role:Role";
const lakeArn = () => r().one("aws:s3/bucket:Bucket", "LakeBucket").outputs.arn as string;
const lakeName = () => r().one("aws:s3/bucket:Bucket", "LakeBucket").outputs.bucket as string;
const streamArn = () => r().one("aws:kinesis/stream:Stream", "EventsStream").outputs.arn as string;
const triageMachineArn = () => r().one("aws:sfn/stateMachine:StateMachine", "DeadLetterTriageStateMachine").outputs.arn as string;
const build = (id: string) => result.builds.find((b) => b.functionID === id);

type Statement = { Action: string[]; Resource: string[]; Condition?: unknown };
/** The role's statements that touch Freshet's data or workflows (SST adds its own for links). */
function statements(role: string): Statement[] {
  const policies = r().one(ROLE, role).inputs.inlinePolicies as { policy: string }[];
  return policies
    .flatMap((p) => (JSON.parse(p.policy) as { Statement: Statement[] }).Statement)
    .map((s) => ({ Action: [...s.Action].sort(), Resource: [...s.Resource].sort(), ...(s.Condition === undefined ? {} : { Condition: s.Condition }) }))
    .filter((s) => s.Action.some((a) => /^(s3|kinesis|states|sns|events|lambda):/.test(a)));
}

describe("DeadLetterTriager", () => {
  it("runs the triage handler with Lake and Events, the triage settings and the transformer's validation settings", () => {
    const { fn } = r().lambda("DeadLetterTriager");
    expect(fn.inputs).toMatchObject({ runtime: "nodejs24.x", architectures: ["arm64"], timeout: 300 });
    expect(build("DeadLetterTriager")?.handler).toBe("packages/functions/src/dead-letter-triage.handler");
    expect(Object.keys(build("DeadLetterTriager")?.links ?? {}).sort()).toEqual(["Events", "Lake"]);
    expect(fn.inputs.environment.variables).toMatchObject({
      FRESHET_TRIAGE_MAX_OBJECTS: String(DEFAULT_TRIAGE_SETTINGS.maxObjectsPerRun),
      FRESHET_TRIAGE_ALERT_THRESHOLD: String(DEFAULT_TRIAGE_SETTINGS.alertThreshold),
      FRESHET_TRIAGE_ALERT_COOLDOWN_MINUTES: String(DEFAULT_TRIAGE_SETTINGS.alertCooldownMinutes),
      FRESHET_TRIAGE_SWEEP_LOOKBACK_DAYS: String(DEFAULT_TRIAGE_SETTINGS.sweepLookbackDays),
      FRESHET_MAX_EVENT_AGE_DAYS: "7",
      FRESHET_FILTERED_EVENT_TYPES: "heartbeat,health_check",
    });
  });

  it("may list and read dead letters, its ledger and claims, write quarantine, ledger, summaries and claims, delete claims, keep its alert state and watermark, and put records, nothing more", () => {
    const lake = lakeArn();
    expect(statements("DeadLetterTriagerRole")).toEqual([
      {
        Action: ["s3:ListBucket"],
        Resource: [lake],
        Condition: { StringLike: { "s3:prefix": ["dlq/dt=*", "dlq/triage/ledger/*", "dlq/triage/claims/*", "dlq/triage/alert-state.json", "dlq/triage/watermark.json"] } },
      },
      { Action: ["s3:GetObject"], Resource: [`${lake}/dlq/dt=*`, `${lake}/dlq/triage/claims/*`, `${lake}/dlq/triage/ledger/*`] },
      { Action: ["s3:PutObject"], Resource: [`${lake}/dlq/quarantine/*`, `${lake}/dlq/triage/claims/*`, `${lake}/dlq/triage/ledger/*`, `${lake}/dlq/triage/summaries/*`] },
      { Action: ["s3:DeleteObject"], Resource: [`${lake}/dlq/triage/claims/*`] },
      { Action: ["s3:GetObject", "s3:PutObject"], Resource: [`${lake}/dlq/triage/alert-state.json`, `${lake}/dlq/triage/watermark.json`] },
      { Action: ["kinesis:PutRecords"], Resource: [streamArn()] },
    ]);
  });
});

describe("TriageDebounce", () => {
  it("links Lake and the DeadLetterTriage workflow and has the stage's debounce", () => {
    const { fn } = r().lambda("TriageDebounce");
    expect(build("TriageDebounce")?.handler).toBe("packages/functions/src/triage-debounce.handler");
    expect(Object.keys(build("TriageDebounce")?.links ?? {}).sort()).toEqual(["DeadLetterTriageWorkflow", "Lake"]);
    expect(fn.inputs.environment.variables).toMatchObject({ FRESHET_TRIAGE_DEBOUNCE_SECONDS: String(DEFAULT_TRIAGE_SETTINGS.debounceSeconds) });
  });

  it("may only read, create or delete the lease and start DeadLetterTriage", () => {
    expect(statements("TriageDebounceRole")).toEqual([
      { Action: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], Resource: [`${lakeArn()}/${TRIAGE_LEASE_KEY}`] },
      { Action: ["states:StartExecution"], Resource: [triageMachineArn()] },
    ]);
  });

  it("is invoked by a rule on the default bus for dead letters only, through a permission for that rule", () => {
    const rule = r().one("aws:cloudwatch/eventRule:EventRule", "DeadLettersLandedRule");
    expect(rule.inputs).toMatchObject({ eventBusName: "default", state: "ENABLED", name: ruleName({ app: "freshet", stage: "ci" }, "DeadLetterTriage", "DeadLettersLanded") });
    expect(JSON.parse(rule.inputs.eventPattern as string)).toEqual(deadLetterLandedPattern({ lakeBucket: lakeName() } as WorkflowResources));
    const target = r().one("aws:cloudwatch/eventTarget:EventTarget", "DeadLettersLandedTarget");
    expect(target.inputs).toMatchObject({ rule: rule.outputs.name, eventBusName: "default", arn: r().lambda("TriageDebounce").fn.outputs.arn });
    const permission = r().one("aws:lambda/permission:Permission", "DeadLettersLandedPermission");
    expect(permission.inputs).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "events.amazonaws.com",
      function: r().lambda("TriageDebounce").fn.outputs.name,
      sourceArn: rule.outputs.arn,
    });
  });
});
