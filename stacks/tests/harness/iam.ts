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
  /** The Condition block as IAM stores it (`{ StringLike: { key: [values] } }`); empty when none. */
  readonly conditions: Conditions;
}

export type Conditions = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

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
      conditions: conditionBlock(st.Condition),
    });
  }
}

function conditionBlock(value: unknown): Conditions {
  if (!value || typeof value !== "object") return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, Record<string, unknown>>).map(([operator, keys]) => [
      operator,
      Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, list(values)])),
    ]),
  );
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
        conditions: Object.fromEntries(
          ((s.conditions ?? []) as { test: string; variable: string; values: unknown }[]).map((c) => [c.test, { [c.variable]: list(c.values) }]),
        ),
      });
    }
  }
  return out;
}

/**
 * The identity-based statements of one IAM role: its inline policies and the `aws.iam.RolePolicy`
 * resources attached to it (by name, as IAM attaches them). Managed policies are not followed.
 */
export function roleStatements(resources: readonly RecordedResource[], role: RecordedResource): FoundStatement[] {
  const attached = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === role.outputs.name);
  return policyStatements([{ ...role, inputs: { inlinePolicies: role.inputs.inlinePolicies ?? [] } }, ...attached]);
}

/** One request as IAM evaluates it: action, resource, and the request context's keys. */
export interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string>>;
}

/**
 * Identity-policy evaluation for the tests: an explicit Deny wins, else some Allow must match
 * action, resource and every condition. Supports the operators Freshet uses (StringEquals,
 * StringLike) and `${key}` policy variables taken from the context; an unknown operator or a
 * key missing from the context never matches (as IAM treats a missing key without IfExists).
 */
export function isAllowed(statements: readonly FoundStatement[], request: Request): boolean {
  const applies = (s: FoundStatement) =>
    s.actions.some((a) => glob(a, request.action, true)) &&
    s.resources.some((r) => glob(r, request.resource, false)) &&
    conditionsHold(s.conditions, request.context);
  if (statements.some((s) => s.effect === "Deny" && applies(s))) return false;
  return statements.some((s) => s.effect === "Allow" && applies(s));
}

function conditionsHold(conditions: Conditions, context: Readonly<Record<string, string>>): boolean {
  return Object.entries(conditions).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => {
      const actual = context[key];
      if (actual === undefined) return false;
      const expected = values.map((v) => v.replace(/\$\{([^}]+)\}/g, (_, name: string) => context[name] ?? `\u0000unresolved:${name}`));
      if (operator === "StringEquals") return expected.includes(actual);
      if (operator === "StringLike") return expected.some((pattern) => glob(pattern, actual, false));
      return false;
    }),
  );
}

/** IAM's wildcards: `*` any run of characters, `?` one; actions compare case-insensitively. */
function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

/** Allow statements that grant a wildcard action (`*`, `service:*`, `s3:Get*`) or use NotAction. */
export function wildcardGrants(statements: readonly FoundStatement[]): FoundStatement[] {
  return statements.filter(
    (s) => s.effect === "Allow" && (s.notActions.length > 0 || s.actions.some((a) => a.includes("*"))),
  );
}
