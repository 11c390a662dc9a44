import {
  InvalidEventPatternError,
  InvalidScheduleExpressionError,
  parseScheduleExpression,
  validatePattern,
} from "@freshet/eventbridge";
import { WorkflowDescriptionError } from "./errors.ts";
import { eventPatternOf } from "./event-pattern.ts";
import { assertPascalCase } from "./naming.ts";
import type { WorkflowDescription, WorkflowResources, WorkflowRule, WorkflowSchedule } from "./types.ts";

/**
 * Refuses descriptions that would fail once deployed: workflow names unique, schedule and rule
 * names unique within their workflow, all PascalCase; every schedule expression one EventBridge
 * Scheduler accepts and every rule pattern one `PutRule` accepts. `stacks/` and the local
 * deployment both call it first, so a bad description fails before anything is created.
 *
 * A pattern built from the stage's resources is checked only when `resources` is given: the local
 * deployment knows them up front; `stacks/` checks again once Pulumi resolves them, which the
 * synth test does with every workflow (in `sst deploy` that is after the first resources exist,
 * so the tests are where such a pattern should fail). A stage's own schedule expressions
 * (`scheduleOverride`, a stage's load interval) are not the description's: the service that
 * receives them validates them.
 */
export function checkWorkflows(workflows: readonly WorkflowDescription[], resources?: WorkflowResources): void {
  const names = new Set<string>();
  for (const workflow of workflows) {
    assertPascalCase(workflow.name, "workflow");
    if (names.has(workflow.name)) throw new WorkflowDescriptionError(workflow.name, "the name is used twice");
    names.add(workflow.name);
    checkTriggerNames(workflow);
    for (const schedule of workflow.schedules) checkScheduleExpression(workflow, schedule);
    for (const rule of workflow.rules) checkEventPattern(workflow, rule, resources);
  }
}

function checkTriggerNames(workflow: WorkflowDescription): void {
  const triggers = new Set<string>();
  for (const { name } of [...workflow.schedules, ...workflow.rules]) {
    assertPascalCase(name, "schedule and rule");
    if (triggers.has(name)) throw new WorkflowDescriptionError(workflow.name, `schedule/rule name ${name} is used twice`);
    triggers.add(name);
  }
}

/** As EventBridge Scheduler validates it: `rate(…)`, `cron(…)` or `at(…)`, never the local-only seconds. */
function checkScheduleExpression(workflow: WorkflowDescription, schedule: WorkflowSchedule): void {
  try {
    parseScheduleExpression(schedule.expression, { allowAt: true });
  } catch (error) {
    if (error instanceof InvalidScheduleExpressionError) {
      throw new WorkflowDescriptionError(workflow.name, `schedule ${schedule.name}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** As `PutRule` validates the JSON text it is sent. */
function checkEventPattern(workflow: WorkflowDescription, rule: WorkflowRule, resources: WorkflowResources | undefined): void {
  const pattern = resources !== undefined ? eventPatternOf(rule, resources) : typeof rule.eventPattern === "function" ? undefined : rule.eventPattern;
  if (pattern === undefined) return; // built from resources not known yet
  try {
    validatePattern(JSON.stringify(pattern));
  } catch (error) {
    if (error instanceof InvalidEventPatternError) {
      throw new WorkflowDescriptionError(workflow.name, `rule ${rule.name}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
