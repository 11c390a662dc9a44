import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { importCycles, importGraph, packageImports, specifiersOf } from "../import-graph.ts";

/**
 * Who may import whom, per workspace package (sources only; tests may import anything): core is
 * the domain and imports no other package; the EventBridge language stands alone; handlers and
 * workflow definitions build on core; the local platform runs all of them and serves the console,
 * a page that imports no Freshet package; nothing imports local.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  "@freshet/core": [],
  "@freshet/eventbridge": [],
  "@freshet/functions": ["@freshet/core"],
  "@freshet/workflows": ["@freshet/core", "@freshet/eventbridge"],
  "@freshet/local": ["@freshet/core", "@freshet/eventbridge", "@freshet/functions", "@freshet/workflows", "@freshet/console"],
  // The console is a page: the browser code imports no Freshet package (its API types are its own).
  "@freshet/console": [],
};
/** Core is Freshet's domain: nothing that talks to AWS or knows Lambda. */
const NOT_IN_CORE = /^(@aws-sdk\/|@smithy\/|@aws-lambda-powertools\/|@middy\/|aws-lambda$|sst$)/;

describe("the project's import graph", () => {
  const graph = importGraph();

  it("has no import cycle in packages/, type-only imports included", () => {
    expect(importCycles(graph).map((cycle) => cycle.join(" → "))).toEqual([]);
  });

  it("keeps the rules of who may import whom", () => {
    for (const [pkg, imports] of packageImports(graph)) {
      expect(MAY_IMPORT[pkg], `${pkg} has no entry in MAY_IMPORT: say what it may import`).toBeDefined();
      expect([...imports].filter((to) => !MAY_IMPORT[pkg]!.includes(to)), `${pkg} imports`).toEqual([]);
    }
  });

  it("keeps the AWS SDK, Lambda and SST out of core", () => {
    const offending = [...graph.values()]
      .filter((m) => m.pkg === "@freshet/core" && m.file.includes("/src/"))
      .flatMap((m) => m.external.filter((specifier) => NOT_IN_CORE.test(specifier)).map((specifier) => `${m.file}: ${specifier}`));
    expect(offending).toEqual([]);
  });
});

describe("the import scan", () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  function workspace(files: Record<string, string>): string {
    root = mkdtempSync(join(tmpdir(), "freshet-import-graph-"));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it("reads every form of import the code uses, across lines, and skips comments", () => {
    const source = [
      `import { a,`,
      `  b } from "./a.ts";`,
      `import type { T } from "./types.ts";`,
      `export * from "./reexport.ts";`,
      `export { c } from "@freshet/core";`,
      `import "./side-effect.ts";`,
      `const lazy = () => import("./lazy.ts");`,
      `// import { gone } from "./commented.ts";`,
      `/* import { gone } from "./block.ts"; */`,
      `const text = "not an import from './string.ts'";`,
    ].join("\n");
    expect(specifiersOf(source)).toEqual(["./a.ts", "./types.ts", "./reexport.ts", "@freshet/core", "./side-effect.ts", "./lazy.ts"]);
  });

  it("finds a cycle of type-only imports and one across packages, each with its path", () => {
    const dir = workspace({
      "package.json": JSON.stringify({ workspaces: ["packages/a", "packages/b"] }),
      "packages/a/package.json": JSON.stringify({ name: "@x/a", exports: { ".": "./src/index.ts" } }),
      "packages/b/package.json": JSON.stringify({ name: "@x/b", exports: { ".": "./src/index.ts" } }),
      "packages/a/src/index.ts": `import { b } from "@x/b";\nexport const a = 1;\n`,
      "packages/a/src/batch.ts": `import { bodies } from "./bodies.ts";\nexport interface Row { n: number }\n`,
      "packages/a/src/bodies.ts": `import type { Row } from "./batch.ts";\nexport const bodies = 1;\n`,
      "packages/b/src/index.ts": `import { a } from "@x/a";\nexport const b = 2;\n`,
      "packages/b/src/leaf.ts": `import { b } from "./index.ts";\n`,
    });
    const graph = importGraph(dir);
    expect(importCycles(graph).map((cycle) => cycle.join(" → ")).sort()).toEqual([
      "packages/a/src/batch.ts → packages/a/src/bodies.ts → packages/a/src/batch.ts",
      "packages/a/src/index.ts → packages/b/src/index.ts → packages/a/src/index.ts",
    ]);
    expect(packageImports(graph)).toEqual(new Map([["@x/a", new Set(["@x/b"])], ["@x/b", new Set(["@x/a"])]]));
  });

  it("finds none in an acyclic workspace", () => {
    const dir = workspace({
      "package.json": JSON.stringify({ workspaces: ["packages/a"] }),
      "packages/a/package.json": JSON.stringify({ name: "@x/a", exports: { ".": "./src/index.ts" } }),
      "packages/a/src/index.ts": `export * from "./one.ts";\nexport * from "./two.ts";\n`,
      "packages/a/src/one.ts": `import type { Two } from "./two.ts";\nexport type One = Two;\n`,
      "packages/a/src/two.ts": `export type Two = number;\n`,
    });
    expect(importCycles(importGraph(dir))).toEqual([]);
  });
});
