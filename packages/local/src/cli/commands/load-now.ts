import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, type DescribeExecutionCommandOutput } from "@aws-sdk/client-sfn";
import { LOAD_DEFAULT_POLL_SECONDS } from "@freshet/workflows";
import { parseCommand } from "../subcommand-args.ts";
import { CommandError, explainFailure } from "../errors.ts";
import { useLocalEndpointIfRunning } from "../local-endpoint.ts";
import { createProgress } from "../progress.ts";
import { resolveWorkflow } from "./executions.ts";

export const summary = "start a Load now and follow it to the end (what it loaded, or why it failed)";

const USAGE = `usage: freshet load-now [--workflow <name>] [--poll-seconds <1..60>] [--timeout <seconds>] [--json]

Starts an execution of the Load workflow (StartExecution), as its schedule would, and follows it
(DescribeExecution) until it ends; prints its outcome: loaded objects and events, or nothing to
load, or the error. --json prints the outcome as one JSON document.

  --workflow      the Load state machine (default: the one whose name ends with Load)
  --poll-seconds  how often the execution polls its COPY statement (default ${LOAD_DEFAULT_POLL_SECONDS})
  --timeout       stop following after this many seconds (default 1800; the load goes on)

Exit code 0 when the load succeeded, 1 when it failed or was not followed to the end, 2 on a
usage error. Uses the Step Functions API: against AWS with your AWS_PROFILE/AWS_REGION, or
against a running \`npm start\` when no AWS credentials are set.`;

const FINISHED = new Set(["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]);

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand<{ workflow?: string; "poll-seconds"?: string; timeout?: string; json?: boolean }>(
    args,
    { workflow: { type: "string" }, "poll-seconds": { type: "string" }, timeout: { type: "string" }, json: { type: "boolean" } },
    USAGE,
  );
  if ("exitCode" in parsed) return parsed.exitCode;
  const { values } = parsed;
  const pollSeconds = Number(values["poll-seconds"] ?? LOAD_DEFAULT_POLL_SECONDS);
  const timeoutSeconds = Number(values.timeout ?? 1800);
  if (!Number.isInteger(pollSeconds) || pollSeconds < 1 || pollSeconds > 60 || !(timeoutSeconds > 0)) {
    process.stderr.write(`--poll-seconds takes a whole number from 1 to 60 and --timeout a positive number of seconds\n\n${USAGE}\n`);
    return 2;
  }
  useLocalEndpointIfRunning();
  const sfn = new SFNClient({});
  try {
    const machine = await resolveWorkflow(sfn, values.workflow ?? "Load");
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: `load-now-${Date.now()}`, input: JSON.stringify({ pollSeconds }) }),
    );
    if (!values.json) process.stderr.write(`started ${executionArn}\n`);
    const execution = await follow(sfn, executionArn!, timeoutSeconds * 1000);
    const outcome = outcomeOf(execution);
    if (values.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
    else process.stdout.write(`${describe(outcome)}\n`);
    return outcome.status === "SUCCEEDED" ? 0 : 1;
  } catch (error) {
    if (error instanceof CommandError) {
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`${explainFailure(error)}\n`);
    return 1;
  } finally {
    sfn.destroy();
  }
}

/** DescribeExecution until the execution ends or `timeoutMs` passes (then the last description). */
async function follow(sfn: SFNClient, executionArn: string, timeoutMs: number): Promise<DescribeExecutionCommandOutput> {
  const progress = createProgress({ label: "load", total: 0 });
  const started = Date.now();
  try {
    for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (FINISHED.has(execution.status ?? "") || Date.now() - started > timeoutMs) return execution;
      progress.update(Math.round((Date.now() - started) / 1000), `s, ${execution.status?.toLowerCase()}`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  } finally {
    progress.finish();
  }
}

export interface LoadOutcome {
  readonly executionArn: string;
  readonly status: string;
  readonly startedAt?: string;
  readonly stoppedAt?: string;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

function outcomeOf(e: DescribeExecutionCommandOutput): LoadOutcome {
  return {
    executionArn: e.executionArn ?? "",
    status: e.status ?? "UNKNOWN",
    ...(e.startDate ? { startedAt: e.startDate.toISOString() } : {}),
    ...(e.stopDate ? { stoppedAt: e.stopDate.toISOString() } : {}),
    ...(e.output !== undefined ? { output: JSON.parse(e.output) as unknown } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
  };
}

function describe(o: LoadOutcome): string {
  const out = (o.output ?? {}) as { loaded?: boolean; objects?: number; paused?: boolean; summary?: Record<string, unknown> };
  const took = o.startedAt && o.stoppedAt ? ` in ${((Date.parse(o.stoppedAt) - Date.parse(o.startedAt)) / 1000).toFixed(1)} s` : "";
  if (o.status === "RUNNING") return `still running after the timeout: follow it with \`freshet executions show ${o.executionArn}\``;
  if (o.status !== "SUCCEEDED") {
    return `load ${o.status}${took}: ${o.error ?? ""}${o.cause ? `: ${o.cause}` : ""}\nSee each step with \`freshet executions show ${o.executionArn}\`.`;
  }
  if (!out.loaded) return out.paused ? `nothing loaded${took}: loads are paused (a Maintenance lease is live)` : `nothing to load${took}: every receipt is loaded`;
  return `loaded ${out.objects ?? 0} object(s)${took}${out.summary ? `: ${JSON.stringify(out.summary)}` : ""}`;
}
