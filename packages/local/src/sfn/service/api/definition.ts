import { SfnApiError, UnsupportedResourceError } from "../errors.ts";
import { parseResource } from "../integrations/resource.ts";
import { commandClassName, SDK_SERVICES } from "../integrations/sdk-services.ts";
import { loadSdkPackage } from "../integrations/sdk-clients.ts";

/** A problem found in a definition: the interpreter's `validateDefinition` reports the same shape. */
export interface DefinitionIssue {
  readonly state?: string;
  readonly field?: string;
  readonly message: string;
}

export type DefinitionValidator = (definition: unknown) => readonly DefinitionIssue[];

const MAX_DEFINITION_CHARS = 1_048_576;

/**
 * Parses and checks a definition as CreateStateMachine/UpdateStateMachine do: the interpreter's
 * rules plus the Task resources this runtime can call. Any problem is an `InvalidDefinition`
 * naming the state and the field, so nothing unsupported fails later at run time.
 */
export async function checkDefinition(text: string, validate: DefinitionValidator): Promise<Record<string, unknown>> {
  const { definition, issues } = await definitionIssues(text, validate);
  if (issues.length > 0 || !definition) throw invalidDefinition(issues);
  return definition;
}

/** The problems of a definition (none: it can be created), and the parsed definition if it is JSON. */
export async function definitionIssues(
  text: string,
  validate: DefinitionValidator,
): Promise<{ definition?: Record<string, unknown>; issues: DefinitionIssue[] }> {
  if (text.length > MAX_DEFINITION_CHARS) {
    throw new SfnApiError("ValidationException", `Definition is longer than ${MAX_DEFINITION_CHARS} characters`);
  }
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    return { issues: [{ message: `INVALID_JSON_DESCRIPTION: ${(error as Error).message}` }] };
  }
  if (typeof definition !== "object" || definition === null || Array.isArray(definition)) {
    return { issues: [{ message: "INVALID_JSON_DESCRIPTION: the definition must be a JSON object" }] };
  }
  const parsed = definition as Record<string, unknown>;
  const issues = [...validate(parsed)];
  if (issues.length === 0) issues.push(...(await resourceIssues(parsed)));
  return { definition: parsed, issues };
}

/** Where an issue is, as a JSON pointer into the definition (`/States/Poll/Resource`). */
export function issueLocation(issue: DefinitionIssue): string | undefined {
  if (issue.state !== undefined) return `/States/${issue.state}${issue.field ? `/${issue.field}` : ""}`;
  return issue.field ? `/${issue.field}` : undefined;
}

function invalidDefinition(issues: readonly DefinitionIssue[]): SfnApiError {
  const text = issues.map((i) => `${codeOf(i)}: ${messageOf(i)}${location(i)}`).join("', '");
  return new SfnApiError("InvalidDefinition", `Invalid State Machine Definition: '${text}'`);
}

const JSON_CODE = "INVALID_JSON_DESCRIPTION: ";

/** AWS's diagnostic code: the definition is not JSON, or it breaks a rule of the language. */
export function codeOf(issue: DefinitionIssue): string {
  return issue.message.startsWith(JSON_CODE) ? "INVALID_JSON_DESCRIPTION" : "SCHEMA_VALIDATION_FAILED";
}

export function messageOf(issue: DefinitionIssue): string {
  return issue.message.startsWith(JSON_CODE) ? issue.message.slice(JSON_CODE.length) : issue.message;
}

function location(issue: DefinitionIssue): string {
  const where = issueLocation(issue);
  return where ? ` at ${where}` : "";
}

/** Every Task state's resource, at any depth (Parallel branches, Map processors). */
function tasks(definition: Record<string, unknown>): { state: string; resource: unknown }[] {
  const found: { state: string; resource: unknown }[] = [];
  const visit = (machine: unknown): void => {
    if (typeof machine !== "object" || machine === null) return;
    const states = (machine as { States?: unknown }).States;
    if (typeof states !== "object" || states === null) return;
    for (const [name, state] of Object.entries(states as Record<string, unknown>)) {
      if (typeof state !== "object" || state === null) continue;
      const s = state as Record<string, unknown>;
      if (s.Type === "Task") found.push({ state: name, resource: s.Resource });
      if (Array.isArray(s.Branches)) s.Branches.forEach(visit);
      visit(s.ItemProcessor);
      visit(s.Iterator);
    }
  };
  visit(definition);
  return found;
}

async function resourceIssues(definition: Record<string, unknown>): Promise<DefinitionIssue[]> {
  const issues: DefinitionIssue[] = [];
  for (const { state, resource } of tasks(definition)) {
    if (typeof resource !== "string") {
      issues.push({ state, field: "Resource", message: "The field 'Resource' must be a string" });
      continue;
    }
    try {
      const { integration } = parseResource(resource);
      if (integration.kind !== "aws-sdk") continue;
      // An installed client lets the action be checked now; a missing one fails when the task runs.
      const sdk = await loadSdkPackage(SDK_SERVICES[integration.service]!).catch(() => undefined);
      if (sdk && typeof sdk[commandClassName(integration.action)] !== "function") {
        issues.push({
          state,
          field: "Resource",
          message: `The resource provided ${resource} is not recognized: ${SDK_SERVICES[integration.service]!.packageName} has no ${commandClassName(integration.action)}`,
        });
      }
    } catch (error) {
      if (!(error instanceof UnsupportedResourceError)) throw error;
      issues.push({ state, field: "Resource", message: error.message });
    }
  }
  return issues;
}
