/**
 * Every workflow's definition, for two unrelated stages: valid ASL by both validators Freshet
 * uses (asl-validator and AWS's amazon-states-language-service), JSONata throughout with
 * expressions that parse, plain JSON, and permissions that cover exactly what its Tasks call.
 */
import asl from "amazon-states-language-service";
import jsonata from "jsonata";
import { WORKFLOWS, checkWorkflows, type WorkflowDescription, type WorkflowResources } from "@freshet/workflows";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { iamActionOf } from "./support/iam-actions.ts";
import { CI_RESOURCES, CN_RESOURCES } from "./support/resources.ts";
import { allKeys, allStates, allStrings } from "./support/walk.ts";

// asl-validator is CommonJS without type declarations.
type AslValidator = (definition: unknown) => { isValid: boolean; errors: { message?: string }[] };
const aslValidator = createRequire(import.meta.url)("asl-validator") as AslValidator;
const { getLanguageService, TextDocument } = asl;
const languageService = getLanguageService({});

/** Diagnostics of AWS's ASL language service (schema and ASL rules) for a definition. */
async function languageServiceDiagnostics(definition: unknown): Promise<string[]> {
  const doc = TextDocument.create("file:///definition.asl.json", "json", 1, JSON.stringify(definition, null, 2));
  const diagnostics = await languageService.doValidation(doc, languageService.parseJSONDocument(doc));
  return diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`);
}

/** asl-validator 4 writes defaults (each state's `QueryLanguage`) into what it is given: a copy. */
function aslValidatorErrors(definition: unknown): string[] {
  const { isValid, errors } = aslValidator(structuredClone(definition));
  return isValid ? [] : errors.map((e) => e.message ?? JSON.stringify(e));
}

/** Fields that belong to JSONPath states; a JSONata state never has them. */
const JSONPATH_FIELDS = ["Parameters", "InputPath", "OutputPath", "ResultPath", "ResultSelector", "ItemsPath", "Iterator"];

const cases = WORKFLOWS.flatMap((w) =>
  [CI_RESOURCES, CN_RESOURCES].map((r) => [`${w.name} (${r.stage})`, w, r] as [string, WorkflowDescription, WorkflowResources]),
);

it("has unique PascalCase names for workflows, schedules and rules", () => {
  expect(() => checkWorkflows(WORKFLOWS)).not.toThrow();
  expect(WORKFLOWS.length).toBeGreaterThan(0);
});

describe.each(cases)("%s", (_label, workflow, resources) => {
  const definition = workflow.definition(resources);

  it("is valid ASL for asl-validator", () => {
    expect(aslValidatorErrors(definition)).toEqual([]);
  });

  it("is valid ASL for amazon-states-language-service", async () => {
    expect(await languageServiceDiagnostics(definition)).toEqual([]);
  });

  it("is plain JSON, the same on every call", () => {
    expect(JSON.parse(JSON.stringify(definition))).toEqual(definition);
    expect(workflow.definition(resources)).toEqual(definition);
  });

  it("uses JSONata everywhere and no JSONPath field", () => {
    expect(definition.QueryLanguage).toBe("JSONata");
    for (const { path, state } of allStates(definition)) {
      expect(state.QueryLanguage ?? "JSONata", path).toBe("JSONata");
    }
    const keys = allKeys(definition);
    expect(keys.filter((k) => JSONPATH_FIELDS.includes(k) || k.endsWith(".$"))).toEqual([]);
  });

  it("writes only JSONata expressions that parse", () => {
    for (const { path, value } of allStrings(definition)) {
      if (!value.includes("{%")) continue;
      expect(value, path).toMatch(/^\{%[\s\S]*%\}$/);
      expect(() => jsonata(value.slice(2, -2)), `${path}: ${value}`).not.toThrow();
    }
  });

  it("declares exactly the actions its Task states call, none of them a wildcard", () => {
    const called = new Set(allStates(definition).flatMap(({ state }) => (state.Type === "Task" ? [iamActionOf(state.Resource)] : [])));
    // The Data API signs in to a Serverless workgroup with the caller's identity: GetCredentials
    // is part of every redshift-data call, though no Task names it.
    if ([...called].some((a) => a.startsWith("redshift-data:"))) called.add("redshift-serverless:GetCredentials");
    const declared = workflow.permissions(resources).flatMap((p) => p.actions);
    expect(new Set(declared)).toEqual(called);
    for (const action of declared) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
    for (const p of workflow.permissions(resources)) {
      if (!p.resources.includes("*")) continue;
      // Only statement-id actions (no IAM resource type), and only on the caller's own statements.
      expect(p.resources).toEqual(["*"]);
      expect(p.ownStatements).toBe(true);
      expect(p.conditions).toBeUndefined();
      for (const action of p.actions) expect(["redshift-data:CancelStatement", "redshift-data:DescribeStatement", "redshift-data:GetStatementResult"]).toContain(action);
    }
  });

  it("refers to this stage's resources only", () => {
    const text = JSON.stringify([definition, workflow.permissions(resources)]);
    const other = resources === CI_RESOURCES ? CN_RESOURCES : CI_RESOURCES;
    for (const value of [
      other.lakeBucket,
      other.opsAlertsTopicArn,
      other.marketingAlertsTopicArn,
      other.busArn,
      other.accountId,
      other.warehouseWorkgroupName,
      other.warehouseWorkgroupArn,
      other.warehouseCopyRoleArn,
      other.loadPlannerFunctionName,
      other.triageFunctionName,
      other.anomalyEndpointName,
    ]) {
      expect(text).not.toContain(value);
    }
  });
});

describe("the validators", () => {
  // Negative controls: the checks above prove something only if these broken definitions fail.
  const broken = () => structuredClone(WORKFLOWS[0]!.definition(CI_RESOURCES)) as Record<string, any>;

  it("reject a transition to a missing state", async () => {
    const definition = broken();
    definition.StartAt = "Nowhere";
    expect(aslValidatorErrors(definition).join()).toMatch(/Nowhere/);
    expect((await languageServiceDiagnostics(definition)).join()).toMatch(/existing state/);
  });

  it("reject an unreachable state and JSONPath fields in a JSONata state", async () => {
    const definition = broken();
    definition.States.Orphan = { Type: "Pass", Parameters: { "a.$": "$.b" }, End: true };
    expect(aslValidatorErrors(definition).join()).toMatch(/Orphan/);
    expect((await languageServiceDiagnostics(definition)).join("\n")).toMatch(/cannot be reached/);
  });
});
