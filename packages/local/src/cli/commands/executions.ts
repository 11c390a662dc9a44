import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type ExecutionListItem,
  type ExecutionStatus,
  type HistoryEvent,
  type StateMachineListItem,
} from "@aws-sdk/client-sfn";
import { historySteps, type StateStep } from "../../sfn/service/history-steps.ts";
import { CommandError } from "../errors.ts";
import { parseSubcommand } from "../subcommand-args.ts";
import { useLocalEndpointIfRunning } from "../local-endpoint.ts";

export const summary = "list, show, start and stop workflow executions (Step Functions)";

const USAGE = `usage: freshet executions <list|show|start|stop> …

  list  [--workflow <name>] [--status RUNNING|SUCCEEDED|FAILED|TIMED_OUT|ABORTED] [--max <n>] [--json]
        executions, newest first (all workflows unless --workflow)
  show  <executionArn> [--full] [--json]
        the execution and each state it went through: type, entered/exited times, duration,
        input and output, errors (long data and long runs are cut; --full shows everything)

  start <workflow> [input-json] [--name <execution name>] [--json]
        starts an execution; prints its ARN
  stop  <executionArn> [--error <code>] [--cause <text>] [--json]
        stops a running execution; prints its ARN, status and stop time

  --json  one JSON document (list: { executions: [...] }; show: { execution, steps };
          start: { executionArn, startDate }; stop: { executionArn, status, stopDate })

A workflow is the state machine whose name equals or ends with <name> (LoadWorkflow finds
freshet-production-LoadWorkflow). Uses the Step Functions API: against AWS with your
AWS_PROFILE/AWS_REGION, or against a running \`npm start\` when no AWS credentials are set.`;

const STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];
const PREVIEW_CHARS = 160;
const MAX_STEPS = 200;

interface Options {
  workflow?: string;
  status?: string;
  max?: string;
  name?: string;
  error?: string;
  cause?: string;
  full?: boolean;
  json?: boolean;
  help?: boolean;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseSubcommand<Options>(
    args,
    {
      workflow: { type: "string", short: "w" },
      status: { type: "string", short: "s" },
      max: { type: "string" },
      name: { type: "string" },
      error: { type: "string" },
      cause: { type: "string" },
      full: { type: "boolean" },
      json: { type: "boolean" },
    },
    USAGE,
  );
  if ("exitCode" in parsed) return parsed.exitCode;
  const { values, action, rest } = parsed;
  useLocalEndpointIfRunning();
  const sfn = new SFNClient({});
  try {
    switch (action) {
      case "list":
        return await list(sfn, values);
      case "show":
        return await show(sfn, required(rest[0], "an execution ARN"), values.full ?? false, values.json ?? false);
      case "start":
        return await start(sfn, required(rest[0], "a workflow name"), rest[1], values);
      case "stop":
        return await stop(sfn, required(rest[0], "an execution ARN"), values);
      default:
        throw new CommandError(`unknown action '${action}'`, 2);
    }
  } catch (error) {
    if (error instanceof CommandError) {
      process.stderr.write(`${error.message}\n${error.exitCode === 2 ? `\n${USAGE}\n` : ""}`);
      return error.exitCode;
    }
    const e = error as Error;
    process.stderr.write(`${e.name}: ${e.message}\n`);
    return 1;
  } finally {
    sfn.destroy();
  }
}

async function list(sfn: SFNClient, values: Options): Promise<number> {
  const status = values.status?.toUpperCase();
  if (status !== undefined && !STATUSES.includes(status)) throw new CommandError(`--status must be one of ${STATUSES.join(", ")}`, 2);
  const max = values.max === undefined ? 50 : Number(values.max);
  if (!Number.isInteger(max) || max < 1) throw new CommandError("--max must be a positive integer", 2);
  const machines = values.workflow ? [await resolveWorkflow(sfn, values.workflow)] : await stateMachines(sfn);
  const executions: ExecutionListItem[] = [];
  for (const machine of machines) {
    let nextToken: string | undefined;
    let taken = 0;
    do {
      const page = await sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: machine.stateMachineArn,
          statusFilter: status as ExecutionStatus | undefined,
          maxResults: Math.min(max, 1000),
          nextToken,
        }),
      );
      executions.push(...(page.executions ?? []));
      taken += page.executions?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken && taken < max);
  }
  executions.sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
  const shown = executions.slice(0, max);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ executions: shown })}\n`);
    return 0;
  }
  if (shown.length === 0) {
    process.stderr.write(`no executions${status ? ` with status ${status}` : ""}${values.workflow ? ` of ${values.workflow}` : ""}\n`);
    return 0;
  }
  const rows = shown.map((e) => [
    e.startDate?.toISOString() ?? "",
    e.status ?? "",
    duration(e.startDate, e.stopDate),
    e.executionArn ?? "",
  ]);
  process.stdout.write(`${table(["STARTED", "STATUS", "DURATION", "EXECUTION"], rows)}\n`);
  return 0;
}

async function show(sfn: SFNClient, executionArn: string, full: boolean, json: boolean): Promise<number> {
  const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  if (json) {
    const { $metadata: _metadata, ...described } = execution;
    process.stdout.write(`${JSON.stringify({ execution: described, steps: historySteps(events) })}\n`);
    return 0;
  }
  const lines = [
    `execution  ${execution.executionArn}`,
    `status     ${execution.status}   started ${execution.startDate?.toISOString()}` +
      (execution.stopDate ? `   stopped ${execution.stopDate.toISOString()}` : "") +
      `   duration ${duration(execution.startDate, execution.stopDate)}`,
    `input      ${preview(execution.input, full)}`,
  ];
  if (execution.output !== undefined) lines.push(`output     ${preview(execution.output, full)}`);
  if (execution.error !== undefined || execution.cause !== undefined) {
    lines.push(`error      ${execution.error ?? ""}${execution.cause ? `: ${preview(execution.cause, full)}` : ""}`);
  }
  const steps = historySteps(events);
  lines.push("", `${steps.length} state${steps.length === 1 ? "" : "s"} entered (${events.length} history events)`);
  // A Map over thousands of items enters thousands of states: show both ends unless --full.
  const elided = full || steps.length <= MAX_STEPS ? 0 : steps.length - MAX_STEPS;
  steps.forEach((step, i) => {
    if (elided > 0 && i === MAX_STEPS / 2) lines.push("", `     … ${elided} more states (--full shows all)`);
    if (elided > 0 && i >= MAX_STEPS / 2 && i < MAX_STEPS / 2 + elided) return;
    lines.push(...stepLines(i + 1, step, execution.startDate, full));
  });
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

function stepLines(n: number, step: StateStep, start: Date | undefined, full: boolean): string[] {
  const at = (d: Date | undefined) => (d && start ? `+${seconds(d.getTime() - start.getTime())}` : "—");
  const lines = [
    "",
    `${String(n).padStart(3)}  ${step.name}${step.attempt > 1 ? ` (#${step.attempt})` : ""}  [${step.type}]  ` +
      `entered ${step.entered.toISOString()} (${at(step.entered)})  ` +
      (step.exited ? `exited ${at(step.exited)}  took ${duration(step.entered, step.exited)}` : "did not exit"),
  ];
  if (step.resource !== undefined) lines.push(`     calls   ${step.resource}`);
  if (step.input !== undefined) lines.push(`     input   ${preview(step.input, full)}`);
  if (step.output !== undefined) lines.push(`     output  ${preview(step.output, full)}`);
  for (const e of step.errors) lines.push(`     ${e.event}  ${e.error ?? ""}${e.cause ? `: ${preview(e.cause, full)}` : ""}`);
  return lines;
}

async function start(sfn: SFNClient, workflow: string, input: string | undefined, values: Options): Promise<number> {
  if (input !== undefined) {
    try {
      JSON.parse(input);
    } catch (error) {
      throw new CommandError(`input is not JSON: ${(error as Error).message}`, 2, { cause: error });
    }
  }
  const machine = await resolveWorkflow(sfn, workflow);
  const started = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: input ?? "{}", name: values.name }),
  );
  process.stdout.write(values.json ? `${JSON.stringify({ executionArn: started.executionArn, startDate: started.startDate })}\n` : `${started.executionArn}\n`);
  return 0;
}

async function stop(sfn: SFNClient, executionArn: string, values: Options): Promise<number> {
  const stopped = await sfn.send(new StopExecutionCommand({ executionArn, error: values.error, cause: values.cause }));
  const now = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ executionArn, status: now.status, stopDate: stopped.stopDate })}\n`
      : `${executionArn} ${now.status} at ${stopped.stopDate?.toISOString()}\n`,
  );
  return 0;
}

async function stateMachines(sfn: SFNClient): Promise<StateMachineListItem[]> {
  const all: StateMachineListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ maxResults: 1000, nextToken }));
    all.push(...(page.stateMachines ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

/** The state machine named `workflow`, or the only one whose name ends with it. */
export async function resolveWorkflow(sfn: SFNClient, workflow: string): Promise<StateMachineListItem> {
  const machines = await stateMachines(sfn);
  const exact = machines.find((m) => m.name === workflow);
  if (exact) return exact;
  const matches = machines.filter((m) => m.name?.endsWith(workflow));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    const known = machines.map((m) => m.name).join(", ") || "none";
    throw new CommandError(`no state machine named or ending with '${workflow}' (state machines: ${known})`);
  }
  throw new CommandError(`'${workflow}' is ambiguous: ${matches.map((m) => m.name).join(", ")}`);
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new CommandError(`missing ${what}`, 2);
  return value;
}

/** JSON on one line, cut to a screen's width unless `full`. */
function preview(text: string | undefined, full: boolean): string {
  if (text === undefined) return "";
  let compact = text;
  try {
    compact = JSON.stringify(JSON.parse(text));
  } catch {
    compact = text.replace(/\s+/g, " ");
  }
  if (full || compact.length <= PREVIEW_CHARS) return compact;
  return `${compact.slice(0, PREVIEW_CHARS)}… (${Buffer.byteLength(compact)} bytes)`;
}

function duration(from: Date | undefined, to: Date | undefined): string {
  if (!from) return "";
  if (!to) return "running";
  return seconds(to.getTime() - from.getTime());
}

function seconds(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return m < 120 ? `${m}m${Math.round((ms % 60_000) / 1000)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
}
