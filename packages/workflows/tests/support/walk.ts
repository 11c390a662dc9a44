import type { State, StateGraph, StateMachineDefinition } from "@freshet/workflows";

/** Every state of a definition with its path, Parallel branches and Map processors included. */
export function allStates(graph: StateGraph, path = ""): { path: string; name: string; state: State }[] {
  return Object.entries(graph.States).flatMap(([name, state]) => {
    const here = { path: `${path}${name}`, name, state };
    if (state.Type === "Parallel") return [here, ...state.Branches.flatMap((b, i) => allStates(b, `${path}${name}.Branches[${i}].`))];
    if (state.Type === "Map") return [here, ...allStates(state.ItemProcessor, `${path}${name}.ItemProcessor.`)];
    return [here];
  });
}

/** Every string in a JSON value, with where it sits. */
export function allStrings(value: unknown, path = "$"): { path: string; value: string }[] {
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => allStrings(v, `${path}[${i}]`));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => allStrings(v, `${path}.${k}`));
  return [];
}

/** Every object key in a JSON value. */
export function allKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allKeys);
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => [k, ...allKeys(v)]);
  return [];
}

export type Definition = StateMachineDefinition;
