import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { SFNClient } from "@aws-sdk/client-sfn";
import {
  WORKFLOWS,
  checkWorkflows,
  eventPatternOf,
  ruleName,
  scheduleInputOf,
  scheduleName,
  stateMachineArn,
  stateMachineName,
  type WorkflowDescription,
  type WorkflowResources,
} from "@freshet/workflows";
import { WorkflowDeployError } from "./errors.ts";
import { pruneRules, putRule } from "./rules.ts";
import { ensureSchedule, pruneSchedules } from "./schedules.ts";
import { ensureStateMachine } from "./state-machines.ts";
import type { DeployedRule, DeployedSchedule, DeployedWorkflow, DeployResult, ScheduleOverride } from "./types.ts";

export interface DeployWorkflowsOptions {
  readonly sfn: SFNClient;
  readonly scheduler: SchedulerClient;
  readonly events: EventBridgeClient;
  /** The values the definitions are built from; ARNs must be those the endpoint's services use. */
  readonly resources: WorkflowResources;
  readonly workflows?: readonly WorkflowDescription[];
  /**
   * Role of the state machines and of their schedule and rule targets. AWS requires one; the local
   * services enforce no IAM. Default `arn:<partition>:iam::<account>:role/<app>-<stage>-workflows`.
   */
  readonly roleArn?: string;
  readonly scheduleOverride?: ScheduleOverride;
  /**
   * Delete schedules and rules that start this stage's state machines but are described no more,
   * as `sst deploy` removes them (else a schedule dropped from a description keeps firing after
   * a restart). Uses ListSchedules/DeleteSchedule, ListRules/ListTargetsByRule/RemoveTargets/
   * DeleteRule; state machines are kept (with their execution history). Default true.
   */
  readonly prune?: boolean;
}

/**
 * What `sst deploy` does for `stacks/workflows.ts`, through the same AWS APIs against whatever
 * endpoint the clients point at: per description a state machine (created, or updated when its
 * definition changed), its EventBridge Scheduler schedules, its rules and their targets.
 * Idempotent: run again on unchanged descriptions, it changes nothing.
 */
export async function deployWorkflows(options: DeployWorkflowsOptions): Promise<DeployResult> {
  const { resources } = options;
  const workflows = options.workflows ?? WORKFLOWS;
  checkWorkflows(workflows, resources);
  const roleArn = options.roleArn ?? `arn:${resources.partition}:iam::${resources.accountId}:role/${resources.app}-${resources.stage}-workflows`;

  const deployed: DeployedWorkflow[] = [];
  for (const workflow of workflows) deployed.push(await deployWorkflow(workflow, options, roleArn));

  const pruned = { schedules: [] as string[], rules: [] as string[] };
  if (options.prune ?? true) {
    const stagePrefix = `${resources.app}-${resources.stage}-`;
    // The service's own ARN form (its account and region), taken from a deployed state machine.
    const sample = deployed[0]?.stateMachineArn ?? stateMachineArn(resources, "x");
    const arnPrefix = `${sample.slice(0, sample.lastIndexOf(":") + 1)}${stagePrefix}`;
    const schedules = new Set(deployed.flatMap((w) => w.schedules.map((s) => s.physicalName)));
    const rules = new Set(deployed.flatMap((w) => w.rules.map((r) => r.physicalName)));
    pruned.schedules = await pruneSchedules(options.scheduler, arnPrefix, schedules);
    for (const bus of ["default", resources.busName]) {
      pruned.rules.push(...(await pruneRules(options.events, bus, stagePrefix, arnPrefix, rules)));
    }
  }
  return { workflows: deployed, pruned };
}

async function deployWorkflow(
  workflow: WorkflowDescription,
  options: DeployWorkflowsOptions,
  roleArn: string,
): Promise<DeployedWorkflow> {
  const { resources } = options;
  const machineName = stateMachineName(resources, workflow.name);
  const step = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      throw new WorkflowDeployError(workflow.name, what, { cause: error });
    }
  };

  const machine = await step(`state machine ${machineName}`, () =>
    ensureStateMachine(options.sfn, { name: machineName, definition: workflow.definition(resources), roleArn }),
  );

  const schedules: DeployedSchedule[] = [];
  for (const schedule of workflow.schedules) {
    const physicalName = scheduleName(resources, workflow.name, schedule.name);
    const expression = overridden(options.scheduleOverride, { workflow: workflow.name, name: schedule.name, expression: schedule.expression });
    const action = await step(`schedule ${physicalName} (${expression})`, () =>
      ensureSchedule(options.scheduler, {
        name: physicalName,
        expression,
        targetArn: machine.arn,
        roleArn,
        input: JSON.stringify(scheduleInputOf(schedule, expression)),
      }),
    );
    schedules.push({ name: schedule.name, physicalName, expression, action });
  }

  const rules: DeployedRule[] = [];
  for (const rule of workflow.rules) {
    const physicalName = ruleName(resources, workflow.name, rule.name);
    const bus = rule.bus === "default" ? "default" : resources.busName;
    await step(`rule ${physicalName} on bus ${bus}`, () =>
      putRule(options.events, {
        name: physicalName,
        busName: bus,
        eventPattern: eventPatternOf(rule, resources),
        description: `Starts ${workflow.name}`,
        targetId: workflow.name,
        targetArn: machine.arn,
        roleArn,
        input: rule.input,
      }),
    );
    rules.push({ name: rule.name, physicalName, bus, action: "put" });
  }

  return {
    name: workflow.name,
    stateMachineName: machineName,
    stateMachineArn: machine.arn,
    stateMachine: machine.action,
    schedules,
    rules,
  };
}

function overridden(override: ScheduleOverride | undefined, schedule: { workflow: string; name: string; expression: string }): string {
  if (override === undefined) return schedule.expression;
  return typeof override === "string" ? override : override(schedule);
}
