import type { EventPattern, WorkflowResources, WorkflowRule } from "./types.ts";

/** A rule's pattern for a stage: the same object in `stacks/` and in the local deployment. */
export function eventPatternOf(rule: WorkflowRule, resources: WorkflowResources): EventPattern {
  return typeof rule.eventPattern === "function" ? rule.eventPattern(resources) : rule.eventPattern;
}
