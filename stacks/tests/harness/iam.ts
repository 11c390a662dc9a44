/**
 * Finds every IAM policy statement in a synth — role inline policies, standalone policies,
 * trust policies, bucket/queue/topic policies — wherever it sits in a resource's inputs.
 */
import type { RecordedCall } from "./synth.ts";
import type { RecordedResource } from "./resources.ts";

export interface FoundStatement {
  /** Where it was found: `type::name` and the path inside the inputs. */
  readonly source: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function fromDocument(doc: unknown, source: string, out: FoundStatement[]): void {
  if (!doc || typeof doc !== "object" || !("Statement" in doc)) return;
  const statements = (doc as { Statement: unknown }).Statement;
  for (const [i, s] of (Array.isArray(statements) ? statements : [statements]).entries()) {
    const st = s as Record<string, unknown>;
    out.push({
      source: `${source}.Statement[${i}]`,
      effect: st.Effect === "Deny" ? "Deny" : "Allow",
      actions: list(st.Action),
      notActions: list(st.NotAction),
      resources: list(st.Resource),
    });
  }
}

function walk(value: unknown, source: string, out: FoundStatement[]): void {
  if (typeof value === "string") {
    const text = value.trim();
    if (text.startsWith("{") && text.includes("Statement")) {
      try {
        fromDocument(JSON.parse(text), source, out);
      } catch {
        // not JSON: not a policy document
      }
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${source}[${i}]`, out));
    return;
  }
  if (value && typeof value === "object") {
    if ("Statement" in value) fromDocument(value, source, out);
    for (const [key, item] of Object.entries(value)) walk(item, `${source}.${key}`, out);
  }
}

export function policyStatements(resources: readonly RecordedResource[], calls: readonly RecordedCall[] = []): FoundStatement[] {
  const out: FoundStatement[] = [];
  for (const r of resources) walk(r.inputs, `${r.type}::${r.name}`, out);
  // Policy documents rendered by `aws.iam.getPolicyDocument` (SST builds role policies with it).
  for (const [i, call] of calls.entries()) {
    if (call.token !== "aws:iam/getPolicyDocument:getPolicyDocument") continue;
    for (const [j, s] of ((call.inputs.statements ?? []) as Record<string, unknown>[]).entries()) {
      out.push({
        source: `getPolicyDocument#${i}.statements[${j}]`,
        effect: String(s.effect ?? "Allow").toLowerCase() === "deny" ? "Deny" : "Allow",
        actions: list(s.actions),
        notActions: list(s.notActions),
        resources: list(s.resources),
      });
    }
  }
  return out;
}

/** Allow statements that grant a wildcard action (`*`, `service:*`, `s3:Get*`) or use NotAction. */
export function wildcardGrants(statements: readonly FoundStatement[]): FoundStatement[] {
  return statements.filter(
    (s) => s.effect === "Allow" && (s.notActions.length > 0 || s.actions.some((a) => a.includes("*"))),
  );
}
