/**
 * docs/operations.md names only what the `freshet` CLI has: every `freshet <command> [<action>]`
 * it shows is in the command table, and every option given to one appears in that command's
 * own usage. A renamed command or option fails here instead of misleading whoever is on call.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { COMMANDS } from "../../src/cli/command-table.ts";

const DOC = join(dirname(fileURLToPath(import.meta.url)), "../../../../docs/operations.md");

interface Invocation {
  readonly command: string;
  readonly action: string | undefined;
  readonly options: readonly string[];
  readonly text: string;
}

/**
 * Each `freshet <command> …` in the text: up to the end of its inline code span, its line, or its
 * shell comment; shell line continuations are joined first. The action is the next word when the
 * command has actions.
 */
function invocationsIn(markdown: string): Invocation[] {
  const text = markdown.replace(/\s*\\\n\s*/g, " ");
  const found: Invocation[] = [];
  for (const m of text.matchAll(/\bfreshet ([a-z][a-z-]*)([^`\n#]*)/g)) {
    const command = m[1]!;
    const rest = m[2]!;
    const first = /^\s+([a-z][a-z-]*)/.exec(rest)?.[1];
    const action = COMMANDS[command]?.actions === undefined ? undefined : first;
    found.push({ command, action, options: [...rest.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((o) => o[1]!), text: m[0] });
  }
  return found;
}

/** The usage a command (or its action) prints for --help. */
async function usageOf(command: string, action: string | undefined): Promise<string> {
  let out = "";
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  try {
    await (await COMMANDS[command]!.load()).run([...(action ? [action] : []), "--help"]);
  } finally {
    stdout.mockRestore();
  }
  return out;
}

describe("docs/operations.md", () => {
  const invocations = invocationsIn(readFileSync(DOC, "utf8"));

  it("shows freshet commands", () => {
    expect(invocations.length).toBeGreaterThan(10);
  });

  it("names only commands and actions the CLI has", () => {
    const unknown = invocations.filter((i) => COMMANDS[i.command] === undefined || (i.action !== undefined && !COMMANDS[i.command]!.actions!.includes(i.action)));
    expect(unknown.map((i) => i.text)).toEqual([]);
  });

  it("gives each command only options its usage documents", async () => {
    const wrong: string[] = [];
    for (const i of invocations) {
      const usage = await usageOf(i.command, i.action);
      for (const option of i.options) if (!new RegExp(`${option}\\b`).test(usage)) wrong.push(`${option} in "${i.text}"`);
    }
    expect(wrong).toEqual([]);
  });
});

describe("invocationsIn", () => {
  it("reads command, action and options, and stops at code spans, comments and line ends", () => {
    const found = invocationsIn("run `npx freshet dlq redrive --reason x --dry-run` now\nnpx freshet replay --from a \\\n  --rate 5   # not --this\n");
    expect(found).toEqual([
      { command: "dlq", action: "redrive", options: ["--reason", "--dry-run"], text: "freshet dlq redrive --reason x --dry-run" },
      { command: "replay", action: undefined, options: ["--from", "--rate"], text: "freshet replay --from a --rate 5   " },
    ]);
  });
});
