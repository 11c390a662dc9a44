/**
 * Compares the committed sst-env.d.ts with the links a synth produced. SST writes that file only
 * on deploy/dev/diff, so Freshet commits a hand-written one and this keeps it honest.
 */
import { readFileSync } from "node:fs";
import type { Resources } from "./resources.ts";

/** Resource name → property name → declared type (`string`, or a literal such as `"sst.aws.Bus"`). */
export type ResourceShapes = Record<string, Record<string, string>>;

/** Reads the `interface Resource { "Name": { "key": type … } }` block SST's generator writes. */
export function parseSstEnv(path: string): ResourceShapes {
  const text = readFileSync(path, "utf8");
  const start = text.indexOf("export interface Resource {");
  if (start < 0) throw new Error(`${path}: no \`export interface Resource\` block`);
  const shapes: ResourceShapes = {};
  let current: Record<string, string> | undefined;
  for (const line of text.slice(start).split("\n").slice(1)) {
    const open = /^\s*"([^"]+)":\s*\{\s*$/.exec(line);
    if (open) {
      current = shapes[open[1]!] = {};
      continue;
    }
    const field = /^\s*"([^"]+)":\s*(.+?)\s*$/.exec(line);
    if (field && current) {
      current[field[1]!] = field[2]!;
      continue;
    }
    if (/^\s*\}\s*$/.test(line)) {
      if (!current) break; // end of the interface
      current = undefined;
    }
  }
  return shapes;
}

/** The shapes SST would write for this synth: one entry per top-level linkable component. */
export function linkShapes(resources: Resources): ResourceShapes {
  const shapes: ResourceShapes = {};
  for (const ref of resources.ofType("sst:sst:LinkRef")) {
    const name = ref.name.replace(/LinkRef$/, "");
    const component = resources.all.find((r) => r.name === name && r.type.startsWith("sst:") && r.type !== "sst:sst:LinkRef");
    if (!component) throw new Error(`link ${name} has no component`);
    const shape: Record<string, string> = { type: JSON.stringify(component.type.replaceAll(":", ".")) };
    for (const [key, value] of Object.entries((ref.inputs.properties ?? {}) as Record<string, unknown>)) {
      if (value !== undefined) shape[key] = typeof value;
    }
    shapes[name] = shape;
  }
  return shapes;
}
