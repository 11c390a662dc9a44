import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync, realpathSync } from "node:fs";
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
/** `[command, action]` for every action, and `[command, ""]` for a command without actions. */
const all = entries.flatMap(([name, entry]) => (entry.actions ?? [""]).map((action) => [name, action] as const));
const takesJson = all.filter(([name, action]) => COMMANDS[name]!.notJson?.[action] === undefined);
const refusesJson = all.filter(([name, action]) => COMMANDS[name]!.notJson?.[action] !== undefined);
const actionArgs = (action: string) => (action ? [action] : []);

describe("every freshet command", () => {
  it.each(entries)("%s --help and -h print its usage and exit 0", async (name) => {
    for (const flag of ["--help", "-h"]) {
      const { code, out, err } = await cli(name, flag);
      expect(err).toBe("");
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`^usage: freshet ${name}\\b`));
    }
  });

  it.each(entries.filter(([, entry]) => entry.actions))("%s: the table lists exactly the actions its usage names", async (name, entry) => {
    const { out } = await cli(name, "--help");
    const named = new RegExp(`^usage: freshet ${name} <([a-z|-]+)>`).exec(out)?.[1]?.split("|");
    expect(named?.sort()).toEqual([...entry.actions!].sort());
  });

  it.each(all.filter(([, action]) => action))("%s %s --help exits 0", async (name, action) => {
    const { code, out, err } = await cli(name, action, "--help");
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: freshet /);
  });

  it.each(takesJson)("%s %s takes --json and its usage documents it", async (name, action) => {
    // An option the command does not know fails its parser (exit 2) before --help is read.
    const { code, out, err } = await cli(name, ...actionArgs(action), "--json", "--help");
    expect(err).toBe("");
    expect(code).toBe(0);
    // Its own synopsis line: `usage: freshet audit … [--json]`, or `  show <reason> [--json] …`.
    const synopsis = action ? new RegExp(`^ {2}${action}\\b.*--json`, "m") : new RegExp(`^usage: freshet ${name}\\b[^\\n]*(\\n {8,}[^\\n]*)*--json`);
    expect(out).toMatch(synopsis);
  });

  it.each(refusesJson)("%s %s refuses --json, naming the format it writes, which its --help states", async (name, action) => {
    const format = COMMANDS[name]!.notJson![action]!;
    const refused = await cli(name, ...actionArgs(action), "--json");
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(new RegExp(`writes ${format}\\b.*--json`));
    expect((await cli(name, ...actionArgs(action), "--help")).out).toContain(`Writes ${format} to stdout`);
  });
});

describe("the freshet bin", () => {
  const local = join(ROOT, "packages/local");
  const pkg = JSON.parse(readFileSync(join(local, "package.json"), "utf8")) as { bin: Record<string, string> };
  const bin = join(local, pkg.bin.freshet!);
  const run = promisify(execFile);
  // npx sits next to node (Node's own layout); tests run under the Node the project pins.
  const npx = existsSync(join(dirname(process.execPath), "npx")) ? join(dirname(process.execPath), "npx") : "npx";

  it("is @freshet/local's `freshet` bin, the only one: an executable script Node runs directly", () => {
    accessSync(bin, constants.X_OK);
    expect(readFileSync(bin, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    // A bin on the root package is not linked by npm install; npx would copy the project into its cache instead.
    expect((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin?: unknown }).bin).toBeUndefined();
  });

  it("is linked into the workspace's node_modules/.bin by npm install, so `npx freshet` runs it from any directory of the workspace", async () => {
    expect(realpathSync(join(ROOT, "node_modules/.bin/freshet"))).toBe(realpathSync(bin));
    for (const cwd of [ROOT, join(ROOT, "packages/core")]) {
      const { stdout } = await run(npx, ["--no-install", "freshet", "--help"], { cwd });
      expect(stdout).toMatch(/^usage: freshet <command>/);
    }
  });

  it("lists every command with --help, and answers an unknown one with the list and exit code 2", async () => {
    const { stdout } = await run(join(ROOT, "node_modules/.bin/freshet"), ["--help"], { cwd: ROOT });
    for (const name of Object.keys(COMMANDS)) expect(stdout).toContain(`  ${name} `);
    const failed = await run(bin, ["replya"], { cwd: ROOT }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toMatch(/^unknown command 'replya'\n\nusage: freshet <command>/);
  });
});
