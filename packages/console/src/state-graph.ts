import type { Step } from "./api.ts";

/** A state of the definition, placed on the graph: top to bottom by its BFS level from StartAt. */
export interface GraphNode {
  readonly name: string;
  readonly type: string;
  readonly level: number;
  /** Position within its level, left to right. */
  readonly column: number;
  /** For Map and Parallel: the states inside (collapsed into the box), per branch. */
  readonly inner?: readonly (readonly string[])[];
}

export type EdgeKind = "next" | "choice" | "default" | "catch";

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
}

export interface StateGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly levels: number;
  /** The widest level's number of states. */
  readonly width: number;
}

type StateDefinition = {
  Type?: string;
  Next?: string;
  Default?: string;
  Choices?: { Next?: string }[];
  Catch?: { Next?: string }[];
  Branches?: { States?: Record<string, unknown> }[];
  ItemProcessor?: { States?: Record<string, unknown> };
  Iterator?: { States?: Record<string, unknown> };
};

/** The transitions out of a state, as the definition names them (Next, Choices, Default, Catch). */
export function transitions(name: string, state: StateDefinition): GraphEdge[] {
  const edges: GraphEdge[] = [];
  if (state.Next) edges.push({ from: name, to: state.Next, kind: "next" });
  for (const choice of state.Choices ?? []) if (choice.Next) edges.push({ from: name, to: choice.Next, kind: "choice" });
  if (state.Default) edges.push({ from: name, to: state.Default, kind: "default" });
  for (const handler of state.Catch ?? []) if (handler.Next) edges.push({ from: name, to: handler.Next, kind: "catch" });
  // Two choices to the same state are one arrow.
  return edges.filter((e, i) => edges.findIndex((o) => o.to === e.to) === i);
}

/**
 * The graph of a state machine definition (ASL, JSONPath or JSONata): each top-level state at
 * the BFS level it is first reached at from StartAt; states nothing reaches go below the rest.
 * Map and Parallel are one box each, listing the states they run.
 */
export function buildGraph(definition: unknown): StateGraph {
  const def = (definition ?? {}) as { StartAt?: string; States?: Record<string, StateDefinition> };
  const states = def.States ?? {};
  const level = new Map<string, number>();
  const queue: string[] = def.StartAt && states[def.StartAt] ? [def.StartAt] : [];
  if (queue[0]) level.set(queue[0], 0);
  const edges: GraphEdge[] = [];
  for (const [name, state] of Object.entries(states)) edges.push(...transitions(name, state).filter((e) => states[e.to]));
  while (queue.length > 0) {
    const name = queue.shift()!;
    for (const edge of edges) {
      if (edge.from !== name || level.has(edge.to)) continue;
      level.set(edge.to, level.get(name)! + 1);
      queue.push(edge.to);
    }
  }
  const reached = level.size === 0 ? 0 : Math.max(...level.values()) + 1;
  for (const name of Object.keys(states)) if (!level.has(name)) level.set(name, reached);
  const columns = new Map<number, number>();
  const nodes: GraphNode[] = Object.keys(states)
    .sort((a, b) => level.get(a)! - level.get(b)!)
    .map((name) => {
      const state = states[name]!;
      const at = level.get(name)!;
      const column = columns.get(at) ?? 0;
      columns.set(at, column + 1);
      const inner = innerStates(state);
      return { name, type: state.Type ?? "?", level: at, column, ...(inner ? { inner } : {}) };
    });
  return { nodes, edges, levels: Math.max(0, ...nodes.map((n) => n.level + 1)), width: Math.max(0, ...columns.values()) };
}

function innerStates(state: StateDefinition): string[][] | undefined {
  if (state.Type === "Parallel") return (state.Branches ?? []).map((b) => Object.keys(b.States ?? {}));
  if (state.Type === "Map") return [Object.keys((state.ItemProcessor ?? state.Iterator)?.States ?? {})];
  return undefined;
}

export type StateStatus = "succeeded" | "failed" | "caught" | "running" | "not-entered";

/**
 * A state's status in an execution, from its passes in the history and its transitions out:
 * never entered; failed with an error and the execution went on to one of its Catch targets
 * (caught); failed, the execution stopped there (failed); still open (running while the
 * execution runs, failed once it ended); left normally (succeeded, also when a Retry recovered
 * from earlier errors).
 */
export function stateStatus(steps: readonly Step[], name: string, executionStatus: string, out: readonly GraphEdge[] = []): StateStatus {
  const index = steps.findLastIndex((s) => s.name === name);
  if (index === -1) return "not-entered";
  const last = steps[index]!;
  const targets = new Set(out.filter((e) => e.from === name).map((e) => e.to));
  const nextStep = steps.slice(index + 1).find((s) => targets.has(s.name));
  if (last.errors.length > 0) {
    const caught = nextStep !== undefined && out.some((e) => e.from === name && e.to === nextStep.name && e.kind === "catch");
    if (caught) return "caught";
    // Retried to success: it went on along a normal transition, or it ended a successful execution.
    if (nextStep !== undefined || (last.exitedAt !== null && executionStatus === "SUCCEEDED")) return "succeeded";
    return executionStatus === "RUNNING" ? "running" : "failed";
  }
  if (last.exitedAt !== null) return "succeeded";
  return executionStatus === "RUNNING" ? "running" : "failed";
}
