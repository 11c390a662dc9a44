import { execFile } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it, vi } from "vitest";
import { COMMANDS } from "../../src/cli/command-table.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** Runs a command module in-process and returns its exit code and what it printed. */
async function cli(name: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { code: await (await COMMANDS[name]!.load()).run(args), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

const entries = Object.entries(COMMANDS);

describe("every freshet command", () => {
  it.each(entries)("%s --help prints its usage and exits 0", async (name) => {
    const { code, out } = await cli(name, "--help");
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^usage: freshet ${name}\\b`));
  });

  it.each(entries.flatMap(([name, entry]) => (entry.actions ?? []).map((action) => [name, action] as const)))("%s %s --help exits 0", async (name, action) => {
    const { code, out } = await cli(name, action, "--help");
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: freshet /);
  });

  it.each(entries.flatMap(([name, entry]) => entry.reads.map((read) => [name, read] as const)))("%s %s takes --json and documents it", async (name, read) => {
    const { code, out, err } = await cli(name, ...(read ? [read] : []), "--json", "--help");
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("--json");
  });
});

describe("the freshet bin", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
  const bin = join(ROOT, pkg.bin.freshet!);

  it("is the workspace's `freshet` bin: an executable script Node runs directly", () => {
    accessSync(bin, constants.X_OK);
    expect(readFileSync(bin, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("lists every command with --help, and answers an unknown one with the list and exit code 2", async () => {
    const run = promisify(execFile);
    const { stdout } = await run(bin, ["--help"], { cwd: ROOT });
    for (const name of Object.keys(COMMANDS)) expect(stdout).toContain(`  ${name} `);
    const failed = await run(bin, ["replya"], { cwd: ROOT }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toMatch(/^unknown command 'replya'\n\nusage: freshet <command>/);
  });
});
