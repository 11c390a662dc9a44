import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { run } from "../../../src/cli/commands/executions.ts";
import { VirtualClock } from "../../../src/sfn/interpreter/clock.ts";
import { createMachine, definition, eventually, removeDataDir, startSfn, type SfnHarness } from "./harness.ts";

/** Runs `freshet executions …` and returns its exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    return { code: await run(args), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe("freshet executions", () => {
  let h: SfnHarness;
  const tokens: string[] = [];

  beforeAll(async () => {
    h = await startSfn({
      clock: new VirtualClock(Date.UTC(2026, 10, 26, 8, 0, 0)),
      lambdaFunctions: {
        count: async (event) => ({ rows: (event as { files: string[] }).files.length }),
        hold: async (event) => {
          tokens.push((event as { token: string }).token);
          return null;
        },
      },
    });
    // As an operator's shell pointing at a running `npm start` would be.
    vi.stubEnv("AWS_ENDPOINT_URL", h.endpoint.url);
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "local");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "local");
    await createMachine(
      h,
      "freshet-local-LoadWorkflow",
      definition("Plan", {
        Plan: { Type: "Pass", Output: { files: ["a", "b", "c"] }, Next: "Count" },
        Count: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Arguments: { FunctionName: "count", Payload: "{% $states.input %}" },
          Output: "{% $states.result.Payload %}",
          End: true,
        },
      }),
    );
    await createMachine(h, "freshet-local-BrokenWorkflow", definition("Boom", { Boom: { Type: "Fail", Error: "Load.Failed", Cause: "no manifest" } }));
    await createMachine(
      h,
      "freshet-local-ApprovalWorkflow",
      definition("Hold", {
        Hold: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
          Arguments: { FunctionName: "hold", Payload: { token: "{% $states.context.Task.Token %}" } },
          End: true,
        },
      }),
    );
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await h.stop();
    await removeDataDir(h.dataDir);
  });

  it("starts a workflow by the end of its name and shows it state by state", async () => {
    const started = await cli("start", "LoadWorkflow", '{"day":"2026-11-26"}', "--name", "manual-1");
    expect(started.code).toBe(0);
    const arn = started.out.trim();
    expect(arn).toBe("arn:aws:states:us-east-1:000000000000:execution:freshet-local-LoadWorkflow:manual-1");
    await h.service.waitForExecution(arn);

    const shown = await cli("show", arn);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain("status     SUCCEEDED");
    expect(shown.out).toContain('input      {"day":"2026-11-26"}');
    expect(shown.out).toContain('output     {"rows":3}');
    expect(shown.out).toMatch(/1 {2}Plan {2}\[Pass\] {2}entered 2026-11-26T08:00:00\.000Z/);
    expect(shown.out).toMatch(/2 {2}Count {2}\[Task\]/);
    expect(shown.out).toContain('output  {"files":["a","b","c"]}');
  });

  it("lists executions by workflow and status, and shows failures with their errors", async () => {
    const broken = await cli("start", "BrokenWorkflow");
    await h.service.waitForExecution(broken.out.trim());

    const all = await cli("list");
    expect(all.code).toBe(0);
    expect(all.out.split("\n")[0]).toMatch(/^STARTED\s+STATUS\s+DURATION\s+EXECUTION$/);
    expect(all.out).toContain("freshet-local-LoadWorkflow:manual-1");
    expect(all.out).toContain(broken.out.trim());

    const failed = await cli("list", "--status", "failed");
    expect(failed.out).toContain(broken.out.trim());
    expect(failed.out).not.toContain("manual-1");
    const load = await cli("list", "--workflow", "LoadWorkflow");
    expect(load.out).toContain("manual-1");
    expect(load.out).not.toContain("BrokenWorkflow");

    const shown = await cli("show", broken.out.trim());
    expect(shown.out).toContain("status     FAILED");
    expect(shown.out).toContain("error      Load.Failed: no manifest");
  });

  it("stops a running execution with an error and a cause", async () => {
    const started = await cli("start", "ApprovalWorkflow");
    await eventually(() => tokens[0]);
    const stopped = await cli("stop", started.out.trim(), "--error", "Operator.Cancelled", "--cause", "wrong day");
    expect(stopped.code).toBe(0);
    expect(stopped.out).toContain(`${started.out.trim()} ABORTED at `);
    const shown = await cli("show", started.out.trim());
    expect(shown.out).toContain("error      Operator.Cancelled: wrong day");
    expect(shown.out).toContain("did not exit");
  });

  it("start and stop answer --json with one JSON document", async () => {
    const started = await cli("start", "ApprovalWorkflow", "--json");
    expect(started.code).toBe(0);
    const { executionArn, startDate } = JSON.parse(started.out) as { executionArn: string; startDate: string };
    expect(executionArn).toMatch(/^arn:aws:states:.*:execution:freshet-local-ApprovalWorkflow:/);
    expect(Number.isNaN(Date.parse(startDate))).toBe(false);
    await eventually(() => tokens[1]);
    const stopped = await cli("stop", executionArn, "--json");
    expect(stopped.code).toBe(0);
    const outcome = JSON.parse(stopped.out) as { executionArn: string; status: string; stopDate: string };
    expect(outcome).toMatchObject({ executionArn, status: "ABORTED" });
    expect(Date.parse(outcome.stopDate)).toBeGreaterThanOrEqual(Date.parse(startDate));
  });

  it("shows both ends of a long run unless --full", async () => {
    await createMachine(
      h,
      "freshet-local-FanWorkflow",
      definition("Each", {
        Each: {
          Type: "Map",
          Items: "{% $states.input.items %}",
          ItemProcessor: { StartAt: "Item", States: { Item: { Type: "Pass", End: true } } },
          End: true,
        },
      }),
    );
    const started = await cli("start", "FanWorkflow", JSON.stringify({ items: Array.from({ length: 250 }, (_, i) => i) }));
    await h.service.waitForExecution(started.out.trim());
    const shown = await cli("show", started.out.trim());
    expect(shown.out).toContain("251 states entered");
    expect(shown.out).toContain("… 51 more states (--full shows all)");
    expect(shown.out).toMatch(/ {2}1 {2}Each {2}\[Map\]/);
    expect(shown.out).toMatch(/251 {2}Item \(#250\) {2}\[Pass\]/);
    expect(shown.out).not.toMatch(/Item \(#150\)/);
    expect((await cli("show", started.out.trim(), "--full")).out).toMatch(/Item \(#150\)/);
  });

  it("explains what it cannot do", async () => {
    const ambiguous = await cli("start", "Workflow");
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toContain("'Workflow' is ambiguous");
    const unknown = await cli("start", "NoSuchWorkflow");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("no state machine named or ending with 'NoSuchWorkflow'");
    expect((await cli("start", "LoadWorkflow", "{not json")).code).toBe(2);
    expect((await cli("list", "--status", "SLEEPING")).code).toBe(2);
    expect((await cli("frobnicate")).code).toBe(2);
    const missing = await cli("show", "arn:aws:states:us-east-1:000000000000:execution:freshet-local-LoadWorkflow:nope");
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("ExecutionDoesNotExist");
  });
});
