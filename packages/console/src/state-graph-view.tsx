import type { Step } from "./api.ts";
import { buildGraph, stateStatus, type GraphNode } from "./state-graph.ts";

const W = 190;
const H = 46;
const GAP_X = 30;
const GAP_Y = 44;
const PAD = 20;
const INNER_LINE = 14;

interface Props {
  readonly definition: unknown;
  readonly steps: readonly Step[];
  readonly executionStatus: string;
  readonly selected: string | undefined;
  readonly onSelect: (name: string) => void;
}

/**
 * The execution's state graph, drawn from its definition like the Step Functions console's: one
 * box a state, levels top to bottom, each box coloured by the state's status in this execution;
 * Map and Parallel boxes list the states they run. Clicking a state selects it.
 */
export function StateGraphView({ definition, steps, executionStatus, selected, onSelect }: Props) {
  const graph = buildGraph(definition);
  const height = (n: GraphNode) => H + (n.inner ? n.inner.reduce((a, b) => a + b.length, 0) * INNER_LINE + 6 : 0);
  const levelHeight = Array.from({ length: graph.levels }, (_, l) => Math.max(H, ...graph.nodes.filter((n) => n.level === l).map(height)));
  const levelTop = levelHeight.map((_, l) => PAD + levelHeight.slice(0, l).reduce((a, b) => a + b + GAP_Y, 0));
  const perLevel = (l: number) => graph.nodes.filter((n) => n.level === l).length;
  const width = PAD * 2 + graph.width * W + (graph.width - 1) * GAP_X;
  const position = new Map(
    graph.nodes.map((n) => {
      const row = perLevel(n.level) * W + (perLevel(n.level) - 1) * GAP_X;
      return [n.name, { x: (width - row) / 2 + n.column * (W + GAP_X), y: levelTop[n.level]!, h: height(n) }] as const;
    }),
  );
  const total = (levelTop.at(-1) ?? 0) + (levelHeight.at(-1) ?? 0) + PAD;
  return (
    <svg class="graph" data-testid="state-graph" width={width} height={total} viewBox={`0 0 ${width} ${total}`} role="img" aria-label="state graph">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#64748b" />
        </marker>
      </defs>
      {graph.edges.map((e) => {
        const a = position.get(e.from)!;
        const b = position.get(e.to)!;
        const [x1, y1, x2, y2] = [a.x + W / 2, a.y + a.h, b.x + W / 2, b.y];
        // A transition back up (a polling loop) goes round the right of the boxes.
        const d = y2 > y1 ? `M ${x1} ${y1} C ${x1} ${y1 + GAP_Y / 2}, ${x2} ${y2 - GAP_Y / 2}, ${x2} ${y2}` : `M ${a.x + W} ${a.y + a.h / 2} C ${a.x + W + 60} ${a.y + a.h / 2}, ${b.x + W + 60} ${b.y + b.h / 2}, ${b.x + W} ${b.y + b.h / 2}`;
        return <path key={`${e.from}>${e.to}`} class={`edge ${e.kind}`} d={d} marker-end="url(#arrow)" />;
      })}
      {graph.nodes.map((n) => {
        const p = position.get(n.name)!;
        const status = stateStatus(steps, n.name, executionStatus, graph.edges);
        return (
          <g key={n.name} class={`state ${status} ${selected === n.name ? "selected" : ""}`} data-state={n.name} data-status={status} transform={`translate(${p.x} ${p.y})`} onClick={() => onSelect(n.name)}>
            <title>{`${n.name} (${n.type}): ${status}`}</title>
            <rect width={W} height={p.h} rx="6" />
            <text x={W / 2} y={19} class="name">
              {n.name.length > 26 ? `${n.name.slice(0, 25)}…` : n.name}
            </text>
            <text x={W / 2} y={35} class="type">
              {n.type} · {status}
            </text>
            {n.inner?.flatMap((branch, b) => branch.map((inner, i) => ({ inner, y: H + 4 + (n.inner!.slice(0, b).reduce((a, br) => a + br.length, 0) + i) * INNER_LINE })))
              .map(({ inner, y }) => (
                <text key={inner} x={12} y={y + 10} class="inner">
                  {`▸ ${inner}`}
                </text>
              ))}
          </g>
        );
      })}
    </svg>
  );
}
