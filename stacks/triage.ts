import { TRIAGE_ALERT_STATE_KEY, TRIAGE_FUNCTION_TIMEOUT_SECONDS, TRIAGE_LEASE_KEY, TRIAGE_PREFIXES, TRIAGE_WATERMARK_KEY, triageEnvironment } from "@freshet/core";
import { deadLetterLandedPattern, ruleName, type WorkflowResources } from "@freshet/workflows";
import type { StageConfig } from "./config.ts";
import { createFunction, powertoolsEnvironment } from "./lambda.ts";
import { bucketWriter, streamProducer, type Permission } from "./permissions.ts";
import type { DeployedWorkflow } from "./workflows.ts";
import { workflowStarter } from "./workflows.ts";

/**
 * Dead-letter triage's functions and trigger. `DeadLetterTriager` is the DeadLetterTriage
 * workflow's function (find, triage one object, summarize); `TriageDebounce` is the target of the
 * rule on the lake's "Object Created" events under `dlq/dt=` and starts at most one execution per
 * debounce interval (packages/workflows/README.md, DeadLetterTriage).
 */

export interface TriageInput {
  readonly config: StageConfig;
  readonly lake: sst.aws.Bucket;
  readonly stream: sst.aws.KinesisStream;
}

export interface TriageTriggerInput {
  readonly config: StageConfig;
  readonly lake: sst.aws.Bucket;
  readonly workflow: DeployedWorkflow;
}

export interface TriageTrigger {
  readonly debounce: sst.aws.Function;
  readonly rule: aws.cloudwatch.EventRule;
  readonly target: aws.cloudwatch.EventTarget;
  readonly permission: aws.lambda.Permission;
}

/** Lists dead letters, the ledger, the claims and its state keys only (ListObjectsV2 is authorised as s3:ListBucket, narrowed by prefix). */
function triageLister(bucketArn: $util.Output<string>): Permission & { conditions: { test: string; variable: string; values: string[] }[] } {
  return {
    actions: ["s3:ListBucket"],
    resources: [bucketArn],
    conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${TRIAGE_PREFIXES.deadLetters}*`, `${TRIAGE_PREFIXES.ledger}*`, `${TRIAGE_PREFIXES.claims}*`, TRIAGE_ALERT_STATE_KEY, TRIAGE_WATERMARK_KEY] }],
  };
}

/** The triage function: reads dead letters and its ledger, writes quarantine, ledger and summaries, redrives. */
export function createTriage({ config, lake, stream }: TriageInput): sst.aws.Function {
  const tc = config.transformer;
  return createFunction("DeadLetterTriager", {
    handler: "packages/functions/src/dead-letter-triage.handler",
    description: "Freshet dead-letter triage: repairs and redrives what a rule fixes, quarantines the rest",
    memory: "512 MB",
    // Claims lapse after the workflow's timeout plus this one (packages/functions/src/triage/claims.ts).
    timeout: `${TRIAGE_FUNCTION_TIMEOUT_SECONDS} seconds`,
    link: [lake, stream],
    permissions: [
      triageLister(lake.arn),
      {
        actions: ["s3:GetObject"],
        resources: [
          $interpolate`${lake.arn}/${TRIAGE_PREFIXES.deadLetters}*`,
          $interpolate`${lake.arn}/${TRIAGE_PREFIXES.ledger}*`,
          $interpolate`${lake.arn}/${TRIAGE_PREFIXES.claims}*`,
        ],
      },
      bucketWriter(lake.arn, [TRIAGE_PREFIXES.quarantine, TRIAGE_PREFIXES.ledger, TRIAGE_PREFIXES.summaries, TRIAGE_PREFIXES.claims]),
      // Per-object claims: written by Find (conditional writes need nothing beyond s3:PutObject), deleted after the done marker.
      { actions: ["s3:DeleteObject"], resources: [$interpolate`${lake.arn}/${TRIAGE_PREFIXES.claims}*`] },
      // Its alert cooldown (when it last told OpsAlerts) and Find's watermark (the oldest day still to list).
      { actions: ["s3:GetObject", "s3:PutObject"], resources: [$interpolate`${lake.arn}/${TRIAGE_ALERT_STATE_KEY}`, $interpolate`${lake.arn}/${TRIAGE_WATERMARK_KEY}`] },
      { actions: ["kinesis:PutRecords"], resources: [stream.arn] },
    ],
    environment: {
      ...powertoolsEnvironment("dead-letter-triage"),
      ...triageEnvironment(config.triage),
      // The transformer's validation settings: a repair is re-validated exactly as it will be.
      FRESHET_MAX_EVENT_AGE_DAYS: String(tc.maxEventAgeDays),
      FRESHET_FILTERED_EVENT_TYPES: tc.filteredEventTypes.join(","),
    },
  });
}

/** The debounce function and the rule on the default bus that invokes it. */
export function createTriageTrigger({ config, lake, workflow }: TriageTriggerInput): TriageTrigger {
  const debounce = createFunction("TriageDebounce", {
    handler: "packages/functions/src/triage-debounce.handler",
    description: "Freshet dead-letter triage trigger: one DeadLetterTriage execution per burst of dead letters",
    memory: "128 MB",
    timeout: "30 seconds",
    link: [lake, workflow.link],
    permissions: [
      // The lease only: HeadObject (s3:GetObject) to see it held, a conditional PutObject
      // (If-None-Match needs nothing beyond s3:PutObject) to take it, DeleteObject to free it.
      // No s3:ListBucket: a missing lease then answers 403, which the function reads as absent.
      { actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [$interpolate`${lake.arn}/${TRIAGE_LEASE_KEY}`] },
      workflowStarter(workflow),
    ],
    environment: { ...powertoolsEnvironment("triage-debounce"), ...triageEnvironment(config.triage) },
  });
  const pattern = lake.name.apply((lakeBucket) => deadLetterLandedPattern({ lakeBucket } as WorkflowResources));
  const rule = new aws.cloudwatch.EventRule("DeadLettersLandedRule", {
    name: ruleName({ app: $app.name, stage: $app.stage }, "DeadLetterTriage", "DeadLettersLanded"),
    description: "Dead letters landed in the lake: TriageDebounce",
    eventBusName: "default",
    eventPattern: $jsonStringify(pattern),
    state: "ENABLED",
  });
  const target = new aws.cloudwatch.EventTarget("DeadLettersLandedTarget", {
    rule: rule.name,
    eventBusName: "default",
    targetId: "TriageDebounce",
    arn: debounce.arn,
  });
  // EventBridge invokes the function through its resource policy, for this rule only.
  const permission = new aws.lambda.Permission("DeadLettersLandedPermission", {
    action: "lambda:InvokeFunction",
    function: debounce.name,
    principal: "events.amazonaws.com",
    sourceArn: rule.arn,
  });
  return { debounce, rule, target, permission };
}
