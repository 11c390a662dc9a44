/**
 * How non-deterministic a rule's wildcards are, measured as EventBridge's matching engine
 * (aws/event-ruler's `MachineComplexityEvaluator`) measures it: walk every input the matcher can
 * see, count the matcher states a value can be in at once that still lead to a wildcard pattern
 * (plus the states that would enter a `*` next), and take the worst case. EventBridge refuses a
 * rule whose count exceeds 10 ("Rule is too complex").
 *
 * Each group is one pattern (a `wildcard` value, or all values of one `anything-but`/`wildcard`
 * list) given as byte sequences with `-1` for `*`; values of a group share their common prefixes,
 * as they share states in the engine.
 */
export const MAX_WILDCARD_COMPLEXITY = 10;

interface TrieNode {
  readonly id: number;
  readonly children: Map<number, TrieNode>;
  final: boolean;
}

export function wildcardComplexity(groups: readonly (readonly (readonly number[])[])[], cap = MAX_WILDCARD_COMPLEXITY + 1): number {
  let nextId = 0;
  const roots: TrieNode[] = [];
  const groupOf = new Map<number, number>();
  const alphabet = new Set<number>([-2]); // -2: any byte no pattern names
  groups.forEach((values, g) => {
    const root: TrieNode = { id: nextId++, children: new Map(), final: false };
    groupOf.set(root.id, g);
    for (const value of values) {
      let node = root;
      for (const b of value) {
        if (b >= 0) alphabet.add(b);
        let child = node.children.get(b);
        if (!child) {
          child = { id: nextId++, children: new Map(), final: false };
          groupOf.set(child.id, g);
          node.children.set(b, child);
        }
        node = child;
      }
      node.final = true;
    }
    roots.push(root);
  });
  const nodes = new Map<number, TrieNode>();
  const index = (n: TrieNode) => {
    nodes.set(n.id, n);
    n.children.forEach(index);
  };
  roots.forEach(index);

  // A state key: P<id> (at a trie node), W<id> (inside the `*` whose node is id), F<group> (matched).
  const at = (n: TrieNode) => (n.final ? `F${groupOf.get(n.id)}` : `P${n.id}`);
  const step = (states: readonly string[], byte: number): string[] => {
    const out = new Set<string>();
    const follow = (star: TrieNode) => {
      for (const [b, next] of star.children) if (b === byte) out.add(at(next));
    };
    for (const key of states) {
      if (key[0] === "F") continue;
      const node = nodes.get(Number(key.slice(1)))!;
      if (key[0] === "W") {
        out.add(key);
        follow(node);
        continue;
      }
      for (const [b, child] of node.children) {
        if (b === -1) {
          out.add(`W${child.id}`);
          follow(child);
        } else if (b === byte) {
          out.add(at(child));
        }
      }
    }
    return [...out].sort();
  };
  const cost = (states: readonly string[]): number => {
    const present = new Set(states);
    let total = states.length;
    for (const key of states) {
      if (key[0] !== "P") continue;
      const star = nodes.get(Number(key.slice(1)))!.children.get(-1);
      if (star && !present.has(`W${star.id}`)) total++;
    }
    return total;
  };

  const start = roots.map((r) => `P${r.id}`).sort();
  const seen = new Set<string>([start.join(",")]);
  const queue: string[][] = [start];
  let worst = 0;
  while (queue.length > 0) {
    const states = queue.shift()!;
    for (const byte of alphabet) {
      const next = step(states, byte);
      if (next.length === 0) continue;
      worst = Math.max(worst, cost(next));
      if (worst >= cap) return cap;
      const key = next.join(",");
      if (!seen.has(key)) {
        seen.add(key);
        queue.push(next);
      }
    }
  }
  return worst;
}
