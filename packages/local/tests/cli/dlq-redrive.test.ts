/**
 * `freshet dlq redrive` follows DeadLetterTriage to its end: the states it enters as lines, a
 * progress bar on a terminal (none when stderr is piped), the summary as JSON on stdout. Step
 * Functions is aws-sdk-client-mock: the bar is about the CLI, not the workflow.
 */
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { POLL_MS, run as dlq } from "../../src/cli/commands/dlq.ts";

const sfn = mockClient(SFNClient);
const ARN = "arn:aws:states:us-east-1:123456789012:execution:freshet-test-DeadLetterTriage:x";
const entered = (name: string, second: number) => ({
  type: "PassStateEntered" as const,
  id: second,
  timestamp: new Date(Date.UTC(2026, 11, 7, 6, 0, second)),
  stateEnteredEventDetails: { name },
});

beforeEach(() => {
  POLL_MS.value = 0;
  vi.stubEnv("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
  vi.stubEnv("AWS_REGION", "us-east-1");
  sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ name: "freshet-test-DeadLetterTriage", stateMachineArn: "arn:sm", type: "STANDARD", creationDate: new Date() }] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: ARN, startDate: new Date() });
  sfn
    .on(GetExecutionHistoryCommand)
    .resolvesOnce({ events: [entered("Find", 1)] })
    .resolves({ events: [entered("Find", 1), entered("Triage", 2)] });
  sfn
    .on(DescribeExecutionCommand)
    .resolvesOnce({ status: "RUNNING" })
    .resolves({ status: "SUCCEEDED", output: JSON.stringify({ objects: 1, repaired: 1, reasonFilter: "schema_violation" }) });
});
afterEach(() => {
  sfn.reset();
  vi.unstubAllEnvs();
  POLL_MS.value = 1000;
});

async function redrive(tty: boolean): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const isTTY = Object.getOwnPropertyDescriptor(process.stderr, "isTTY");
  Object.defineProperty(process.stderr, "isTTY", { value: tty, configurable: true });
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { code: await dlq(["redrive", "--reason", "schema_violation"]), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    if (isTTY) Object.defineProperty(process.stderr, "isTTY", isTTY);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  }
}

describe("freshet dlq redrive", () => {
  it("on a terminal draws a bar with the execution's state below the state lines, and clears it before the summary", async () => {
    const { code, out, err } = await redrive(true);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ objects: 1, repaired: 1, reasonFilter: "schema_violation" });
    expect(err).toMatch(/\r\x1b\[2Kredrive \d+ {2}s, running, 1 state\(s\) entered, last Find/);
    // Each state line is printed over a cleared bar line, and the bar is gone at the end.
    expect(err).toContain("\r\x1b[2K  2026-12-07T06:00:02.000Z Triage\n");
    expect(err.endsWith("\r\x1b[2K")).toBe(true);
  });

  it("piped, writes the state lines only: no control characters", async () => {
    const { code, err } = await redrive(false);
    expect(code).toBe(0);
    expect(err).toBe(`started ${ARN}\n  2026-12-07T06:00:01.000Z Find\n  2026-12-07T06:00:02.000Z Triage\n`);
  });
});
