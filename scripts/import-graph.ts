/**
 * The project's import graph, for the checks the design asks of it: no import cycle between
 * modules (type-only imports included: they tangle a reader as much as value imports do), and
 * packages importing only the packages they may (the rules are in tests/import-graph.test.ts).
 *
 *   node scripts/import-graph.ts     # prints the cycles and forbidden package imports, exit 1 if any
 *
 * The scan reads import/export specifiers with a regular expression instead of a parser: the
 * TypeScript in use (7) has no JavaScript API, and Node's type stripping would erase the
 * `import type` lines the check needs. Relative specifiers and the workspace packages' own
 * `exports` are resolved; third-party specifiers are kept by name.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** One TypeScript file and what it imports. */
export interface ModuleNode {
  /** Path from the repository root, `/`-separated. */
  readonly file: string;
  /** The workspace package it belongs to (`@freshet/core`), or undefined outside `packages/`. */
  readonly pkg: string | undefined;
  /** Resolved project files it imports (repository-relative). */
  readonly imports: readonly string[];
  /** Bare specifiers of packages outside the workspace (`@aws-sdk/client-s3`, `valibot`). */
  readonly external: readonly string[];
}

interface WorkspacePackage {
  readonly name: string;
  readonly dir: string;
  /** `exports` subpath (`.`, `./ingest`) → file, repository-relative. */
  readonly exports: ReadonlyMap<string, string>;
}

// `import … from "x"`, `export … from "x"`, `import "x"`, `import("x")`: across lines, as the code writes them.
const SPECIFIER = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^;"'`]*?\sfrom\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;
const BLOCK_COMMENT = /\/\*[\s\S]*?\*\//g;
const LINE_COMMENT = /^\s*\/\/.*$/gm;

export function workspacePackages(root = ROOT): WorkspacePackage[] {
  const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { workspaces: string[] };
  return rootManifest.workspaces.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as { name: string; exports?: Record<string, string> };
    const exports = new Map(Object.entries(manifest.exports ?? {}).map(([subpath, file]) => [subpath, toPosix(join(dir, file))]));
    return { name: manifest.name, dir: toPosix(dir), exports };
  });
}

/** Every `.ts` and `.tsx` file under the workspace packages, with its imports resolved. */
export function importGraph(root = ROOT): Map<string, ModuleNode> {
  const packages = workspacePackages(root);
  const graph = new Map<string, ModuleNode>();
  for (const pkg of packages) {
    for (const file of tsFiles(join(root, pkg.dir))) {
      const path = toPosix(relative(root, file));
      const imports: string[] = [];
      const external: string[] = [];
      for (const specifier of specifiersOf(readFileSync(file, "utf8"))) {
        const target = resolveSpecifier(root, path, specifier, packages);
        if (target === undefined) external.push(specifier);
        else imports.push(target);
      }
      graph.set(path, { file: path, pkg: pkg.name, imports: [...new Set(imports)], external: [...new Set(external)] });
    }
  }
  return graph;
}

export function specifiersOf(source: string): string[] {
  const code = source.replace(BLOCK_COMMENT, "").replace(LINE_COMMENT, "");
  return [...code.matchAll(SPECIFIER)].map((m) => (m[1] ?? m[2])!);
}

function resolveSpecifier(root: string, from: string, specifier: string, packages: readonly WorkspacePackage[]): string | undefined {
  if (specifier.startsWith(".")) return toPosix(relative(root, resolve(root, dirname(from), specifier)));
  const pkg = packages.find((p) => specifier === p.name || specifier.startsWith(`${p.name}/`));
  if (!pkg) return undefined;
  const subpath = `.${specifier.slice(pkg.name.length)}`;
  const file = pkg.exports.get(subpath);
  if (file === undefined) throw new Error(`${from} imports ${specifier}, which ${pkg.name}'s package.json does not export`);
  return file;
}

/**
 * The import cycles, one per strongly connected component of more than one module (or a module
 * importing itself), each as a path that returns to its start: `a.ts → b.ts → a.ts`.
 */
export function importCycles(graph: ReadonlyMap<string, ModuleNode>): string[][] {
  return stronglyConnected(graph)
    .filter((component) => component.length > 1 || graph.get(component[0]!)!.imports.includes(component[0]!))
    .map((component) => cycleThrough(graph, new Set(component)));
}

/** Tarjan's algorithm, iterative (a deep import chain must not overflow the stack). */
function stronglyConnected(graph: ReadonlyMap<string, ModuleNode>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.node)?.imports ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++]!;
        if (!graph.has(to)) continue;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component.sort());
      }
    }
  }
  return components;
}

/** A shortest path from the component's first module back to itself, staying inside it. */
function cycleThrough(graph: ReadonlyMap<string, ModuleNode>, members: ReadonlySet<string>): string[] {
  const start = [...members][0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of graph.get(node)!.imports) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path: string[] = [];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = cameFrom.get(at)) path.unshift(at);
        return [start, ...path, start];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

/** Which workspace packages each package's sources (not its tests) import. */
export function packageImports(graph: ReadonlyMap<string, ModuleNode>): Map<string, Set<string>> {
  const packageOf = new Map([...graph.values()].map((m) => [m.file, m.pkg]));
  const edges = new Map<string, Set<string>>();
  for (const m of graph.values()) {
    if (m.pkg === undefined || !m.file.includes("/src/")) continue;
    const to = edges.get(m.pkg) ?? new Set<string>();
    for (const target of m.imports) {
      const pkg = packageOf.get(target);
      if (pkg !== undefined && pkg !== m.pkg) to.add(pkg);
    }
    edges.set(m.pkg, to);
  }
  return edges;
}

function tsFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...tsFiles(path));
    else if ((entry.name.endsWith(".ts") || entry.name.endsWith(".tsx")) && !entry.name.endsWith(".d.ts")) found.push(path);
  }
  return found;
}

function toPosix(path: string): string {
  return path.split("\\").join("/");
}

if (process.argv[1] !== undefined && existsSync(process.argv[1]) && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cycles = importCycles(importGraph());
  for (const cycle of cycles) console.log(`cycle: ${cycle.join(" → ")}`);
  console.log(cycles.length === 0 ? "no import cycles" : `${cycles.length} import cycle(s)`);
  process.exitCode = cycles.length === 0 ? 0 : 1;
}
