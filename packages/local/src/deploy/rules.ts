import {
  DeleteRuleCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type EventBridgeClient,
} from "@aws-sdk/client-eventbridge";
import type { EventPattern, Json } from "@freshet/workflows";

export interface RuleSpec {
  readonly name: string;
  readonly busName: string;
  readonly eventPattern: EventPattern;
  readonly description: string;
  /** Target id: the workflow's name, as `stacks/workflows.ts` sets it. */
  readonly targetId: string;
  readonly targetArn: string;
  /** For state machine targets; a Lambda target is invoked through the function's resource policy. */
  readonly roleArn?: string;
  readonly input?: Json;
}

/** PutRule and PutTargets: both upserts, so a restart re-sends them unchanged. */
export async function putRule(events: EventBridgeClient, spec: RuleSpec): Promise<void> {
  await events.send(
    new PutRuleCommand({
      Name: spec.name,
      EventBusName: spec.busName,
      EventPattern: JSON.stringify(spec.eventPattern),
      State: "ENABLED",
      Description: spec.description,
    }),
  );
  const result = await events.send(
    new PutTargetsCommand({
      Rule: spec.name,
      EventBusName: spec.busName,
      Targets: [
        {
          Id: spec.targetId,
          Arn: spec.targetArn,
          ...(spec.roleArn === undefined ? {} : { RoleArn: spec.roleArn }),
          ...(spec.input === undefined ? {} : { Input: JSON.stringify(spec.input) }),
        },
      ],
    }),
  );
  const failed = result.FailedEntries?.[0];
  if ((result.FailedEntryCount ?? 0) > 0) {
    throw new Error(`PutTargets refused the target: ${failed?.ErrorCode ?? "unknown"}: ${failed?.ErrorMessage ?? ""}`);
  }
}

/**
 * Deletes this stage's rules (name prefix) on a bus whose targets start this stage's state
 * machines but that no description has any more; rules targeting anything else are left alone.
 */
export async function pruneRules(
  events: EventBridgeClient,
  busName: string,
  namePrefix: string,
  stateMachineArnPrefix: string,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const deleted: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await listRules(events, busName, namePrefix, NextToken);
    for (const rule of page.Rules ?? []) {
      if (!rule.Name || keep.has(rule.Name)) continue;
      const targets = (await events.send(new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: busName }))).Targets ?? [];
      if (targets.length === 0 || !targets.every((t) => t.Arn?.startsWith(stateMachineArnPrefix))) continue;
      await events.send(new RemoveTargetsCommand({ Rule: rule.Name, EventBusName: busName, Ids: targets.map((t) => t.Id!) }));
      await events.send(new DeleteRuleCommand({ Name: rule.Name, EventBusName: busName }));
      deleted.push(rule.Name);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return deleted;
}

/** A bus that does not exist holds no rules (nothing to prune there). */
async function listRules(events: EventBridgeClient, busName: string, namePrefix: string, NextToken: string | undefined) {
  try {
    return await events.send(new ListRulesCommand({ EventBusName: busName, NamePrefix: namePrefix, NextToken }));
  } catch (error) {
    if ((error as { name?: string }).name === "ResourceNotFoundException") return { Rules: [], NextToken: undefined };
    throw error;
  }
}
