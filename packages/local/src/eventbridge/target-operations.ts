import { EventBridgeApiError, validation } from "./errors.ts";
import { checkTargetInput } from "./input-transformer.ts";
import { optionalArray, optionalBoolean, optionalInteger, optionalString, Violations, type JsonObject } from "./request-fields.ts";
import { busNameOf, page, requireRule, type EventBridgeContext, type TargetRecord } from "./state.ts";

/** AWS's quota of targets per rule. */
export const MAX_TARGETS_PER_RULE = 5;

// Targets EventBridge can only call with a role it assumes (it has no resource policy to rely on).
const NEEDS_ROLE = /^arn:aws[\w-]*:(states|kinesis|firehose|ecs|codebuild|codepipeline|ssm|batch|sagemaker|redshift):/;

export function putTargets(ctx: EventBridgeContext, input: JsonObject): object {
  const ruleName = optionalString(input, "Rule");
  const targets = optionalArray(input, "Targets");
  const violations = new Violations().required(ruleName, "rule").name(ruleName, "rule", 64).required(targets, "targets");
  if (targets) {
    violations.check(targets.length >= 1, "targets", "have length greater than or equal to 1", "[]");
    targets.forEach((raw, i) => {
      const t = (raw ?? {}) as JsonObject;
      const path = `targets.${i + 1}.member`;
      const id = t.Id as string | undefined;
      const arn = t.Arn as string | undefined;
      violations.required(id, `${path}.id`).name(id, `${path}.id`, 64).required(arn, `${path}.arn`);
      violations.check(arn === undefined || (arn.length >= 1 && arn.length <= 1600), `${path}.arn`, "have length less than or equal to 1600", arn);
    });
  }
  violations.throwIfAny();
  const rule = requireRule(ctx, busNameOf(optionalString(input, "EventBusName")), ruleName!);
  const incoming = (targets as JsonObject[]).map((t) => ({ ...t }) as unknown as TargetRecord);
  for (const target of incoming) {
    checkTargetInput(target);
    if (NEEDS_ROLE.test(target.Arn) && target.RoleArn === undefined) throw validation(`RoleArn is required for target arn ${target.Arn}.`);
  }
  const ids = new Set([...rule.targets.map((t) => t.Id), ...incoming.map((t) => t.Id)]);
  if (ids.size > MAX_TARGETS_PER_RULE) {
    throw new EventBridgeApiError("LimitExceededException", "The requested resource exceeds the maximum number allowed.");
  }
  for (const target of incoming) {
    const at = rule.targets.findIndex((t) => t.Id === target.Id);
    if (at >= 0) rule.targets[at] = target;
    else rule.targets.push(target);
  }
  ctx.save();
  ctx.ruleChanged(rule);
  return { FailedEntryCount: 0, FailedEntries: [] };
}

export function listTargetsByRule(ctx: EventBridgeContext, input: JsonObject): object {
  const ruleName = optionalString(input, "Rule");
  const limit = optionalInteger(input, "Limit");
  new Violations()
    .required(ruleName, "rule")
    .name(ruleName, "rule", 64)
    .check(limit === undefined || (limit >= 1 && limit <= 100), "limit", "have value between 1 and 100", limit)
    .throwIfAny();
  const rule = requireRule(ctx, busNameOf(optionalString(input, "EventBusName")), ruleName!);
  const sorted = [...rule.targets].sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
  const { items, nextToken } = page(sorted, (t) => t.Id, limit, optionalString(input, "NextToken"));
  return { Targets: items, ...(nextToken ? { NextToken: nextToken } : {}) };
}

export function removeTargets(ctx: EventBridgeContext, input: JsonObject): object {
  const ruleName = optionalString(input, "Rule");
  const ids = optionalArray(input, "Ids");
  optionalBoolean(input, "Force");
  new Violations()
    .required(ruleName, "rule")
    .name(ruleName, "rule", 64)
    .required(ids, "ids")
    .check(ids === undefined || (ids.length >= 1 && ids.length <= 100), "ids", "have length between 1 and 100", ids === undefined ? undefined : `[${ids.join(", ")}]`)
    .throwIfAny();
  const rule = requireRule(ctx, busNameOf(optionalString(input, "EventBusName")), ruleName!);
  const remove = new Set(ids as string[]);
  rule.targets = rule.targets.filter((t) => !remove.has(t.Id));
  ctx.save();
  ctx.ruleChanged(rule);
  return { FailedEntryCount: 0, FailedEntries: [] };
}
