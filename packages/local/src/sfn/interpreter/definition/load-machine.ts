import { InvalidDefinitionError } from "../errors.ts";
import { compileDefinition } from "./compile-machine.ts";
import type { Machine } from "./types.ts";

/**
 * Compiled machines, so each JSONata expression is compiled once per definition: by object (the
 * same definition object started again) and by text (the service re-reading a stored definition).
 */
const byObject = new WeakMap<object, Machine>();
const byText = new Map<string, Machine>();
const TEXT_CACHE_SIZE = 128;

export function loadMachine(definition: Record<string, unknown>): Machine {
  const known = byObject.get(definition);
  if (known) return known;
  const text = JSON.stringify(definition);
  let machine = byText.get(text);
  if (machine) {
    byText.delete(text);
  } else {
    const compiled = compileDefinition(definition);
    if (!compiled.machine) throw new InvalidDefinitionError(compiled.problems);
    machine = compiled.machine;
    if (byText.size >= TEXT_CACHE_SIZE) byText.delete(byText.keys().next().value!);
  }
  byText.set(text, machine);
  byObject.set(definition, machine);
  return machine;
}
