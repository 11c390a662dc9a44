import { missingParameter } from "./errors.ts";

/**
 * The parameters of an AWS Query request as a tree: `Attributes.entry.1.key=…` becomes
 * `Attributes → entry → 1 → key`. Lists (`member.N`) and maps (`entry.N`) are read back in index
 * order, so the wire's flattening never leaks into the operations.
 */
export class QueryNode {
  value: string | undefined;
  readonly children = new Map<string, QueryNode>();

  /** Parses a form body and/or query string (`Action=Publish&TopicArn=…`). */
  static parse(...sources: readonly URLSearchParams[]): QueryNode {
    const root = new QueryNode();
    for (const source of sources) {
      for (const [key, value] of source) {
        let node: QueryNode = root;
        for (const part of key.split(".")) {
          let child = node.children.get(part);
          if (!child) {
            child = new QueryNode();
            node.children.set(part, child);
          }
          node = child;
        }
        node.value = value;
      }
    }
    return root;
  }

  child(name: string): QueryNode | undefined {
    return this.children.get(name);
  }

  /** The scalar at `name`, if sent (an empty string is a value, as AWS treats it). */
  string(name: string): string | undefined {
    return this.children.get(name)?.value;
  }

  /** The scalar at `name`; absent is AWS's validation error naming the member (`member` is its wire name in camelCase). */
  required(name: string, member = name.charAt(0).toLowerCase() + name.slice(1)): string {
    const value = this.string(name);
    if (value === undefined) throw missingParameter(member);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.string(name);
    return value === undefined ? undefined : value.toLowerCase() === "true";
  }

  /** The nodes of `<name>.member.N` (or `.entry.N`), in index order. */
  indexed(name: string, kind: "member" | "entry" = "member"): QueryNode[] {
    const list = this.children.get(name)?.children.get(kind);
    if (!list) return [];
    return [...list.children.entries()]
      .filter(([index]) => /^\d+$/.test(index))
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, node]) => node);
  }

  /** A string map sent as `<name>.entry.N.key` / `.value` (attribute maps). Later keys win. */
  map(name: string): Map<string, string> {
    const map = new Map<string, string>();
    for (const entry of this.indexed(name, "entry")) {
      const key = entry.string("key");
      if (key !== undefined) map.set(key, entry.string("value") ?? "");
    }
    return map;
  }

  /** Whether `<name>` was sent at all (for maps: even with no entries). */
  has(name: string): boolean {
    return this.children.has(name);
  }
}
