import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "freshet-anomalies-score-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freshet(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["packages/local/src/cli/freshet.ts", "anomalies", "score", ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("freshet anomalies score", () => {
  it("writes timestamp,value,score,anomaly for each row of the named columns", async () => {
    const file = join(dir, "series.csv");
    const rows = Array.from({ length: 60 }, (_, i) => `${10 + (i % 3)},2026-01-05 00:${String(i).padStart(2, "0")}:00`);
    writeFileSync(file, `count,time\n${rows.join("\n")}\n`);
    const { code, stdout, stderr } = await freshet("--input", file, "--time-column", "time", "--value-column", "count");
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("timestamp,value,score,anomaly");
    expect(lines).toHaveLength(61);
    expect(lines[1]).toBe("2026-01-05 00:00:00,10,0,0");
    expect(stderr).toBe("scored 60 row(s), 0 alert(s)\n");
  });

  it("refuses bad input with the line and a non-zero exit, and a missing --input with usage", async () => {
    const file = join(dir, "bad.csv");
    writeFileSync(file, "timestamp,value\n2026-01-05T00:00:00Z,1\n2026-01-05T00:01:00Z,n/a\n");
    expect(await freshet("--input", file)).toMatchObject({ code: 1, stderr: 'line 3: value "n/a" is not a number\n' });
    // The one read without --json says so, and what to do.
    const json = await freshet("--input", file, "--json");
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/^freshet anomalies score writes CSV \(timestamp,value,score,anomaly\), not JSON: drop --json\n/);
    const usage = await freshet();
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--input is required[\s\S]*usage: freshet anomalies score/);
  });
});
