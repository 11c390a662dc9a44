/**
 * stacks/metrics-api.ts under the mock synthesis: the three read-only routes on the ingest's API
 * to one function, its own `MetricsApiKey` secret, the reader database role, and IAM that submits
 * SQL on this workgroup and reads only its own statements.
 */
import { DB_ROLES, METRICS_API_ROUTES } from "@freshet/core";
import { STATEMENT_OWNER_KEY } from "@freshet/workflows";
import { beforeAll, describe, expect, it } from "vitest";
import { WAREHOUSE_DATABASE } from "../warehouse.ts";
import { isAllowed, roleStatements } from "./harness/iam.ts";
import { synth, type SynthResult } from "./harness/synth.ts";

let result: SynthResult;
beforeAll(async () => {
  result = await synth({ stage: "ci", secrets: { IngestApiKey: "ci-key", MetricsApiKey: "ci-metrics-key" } });
});

const r = () => result.resources;
const ROLE = "aws:iam/role:Role";
const workgroupArn = () => r().one("aws:redshiftserverless/workgroup:Workgroup", "WarehouseWorkgroup").outputs.arn as string;
const statements = () => roleStatements(r().all, r().one(ROLE, "MetricsApiRole"));
const grants = (action: string, resource = "*", context: Record<string, string> = {}) => isAllowed(statements(), { action, resource, context });

describe("routes", () => {
  it("routes the three GET routes on the ingest's API to the MetricsApi function, and POST /v1/events stays the ingest's", () => {
    const ingestRoute = r().one("aws:apigatewayv2/route:Route", (x) => x.inputs.routeKey === "POST /v1/events");
    const fn = r().lambda("MetricsApi").fn;
    for (const routeKey of METRICS_API_ROUTES) {
      const route = r().one("aws:apigatewayv2/route:Route", (x) => x.inputs.routeKey === routeKey);
      expect(route.inputs.apiId).toBe(ingestRoute.inputs.apiId);
      const integration = r().one("aws:apigatewayv2/integration:Integration", (x) => route.inputs.target === `integrations/${x.name}-id`);
      expect(integration.inputs).toMatchObject({ integrationType: "AWS_PROXY", integrationUri: fn.outputs.arn, payloadFormatVersion: "2.0" });
    }
    expect(r().ofType("aws:apigatewayv2/route:Route").map((x) => x.inputs.routeKey).sort()).toEqual(["POST /v1/events", ...METRICS_API_ROUTES].sort());
    const invokers = r().ofType("aws:lambda/permission:Permission", (x) => x.inputs.function === fn.outputs.arn);
    expect(invokers.map((p) => p.inputs.principal)).toEqual(METRICS_API_ROUTES.map(() => "apigateway.amazonaws.com"));
  });

  it("runs the metrics handler on Node 24 arm64 within API Gateway's 30 s", () => {
    const { fn } = r().lambda("MetricsApi");
    expect(fn.inputs).toMatchObject({ runtime: "nodejs24.x", architectures: ["arm64"] });
    expect(fn.inputs.timeout).toBeLessThanOrEqual(29);
    const build = result.builds.find((b) => b.functionID === "MetricsApi");
    expect(build?.handler).toBe("packages/functions/src/metrics-api.handler");
  });
});

describe("auth", () => {
  it("links its own MetricsApiKey secret and the Warehouse, not the ingest key or the stream", () => {
    const build = result.builds.find((b) => b.functionID === "MetricsApi");
    expect(Object.keys(build?.links ?? {}).sort()).toEqual(["MetricsApiKey", "Warehouse"]);
    expect(build?.links.MetricsApiKey).toEqual({ value: "ci-metrics-key", type: "sst.sst.Secret" });
    expect(build?.links.Warehouse).toMatchObject({ workgroup: "freshet-ci", database: WAREHOUSE_DATABASE });
  });
});

describe("least privilege", () => {
  it("signs in to the warehouse with the reader role only", () => {
    expect(r().one(ROLE, "MetricsApiRole").inputs.tags).toMatchObject({ RedshiftDbRoles: DB_ROLES.reader });
  });

  it("submits SQL on this workgroup only, and touches no S3, stream or other workgroup", () => {
    expect(grants("redshift-data:ExecuteStatement", workgroupArn())).toBe(true);
    expect(grants("redshift-serverless:GetCredentials", workgroupArn())).toBe(true);
    expect(grants("redshift-data:ExecuteStatement", "arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/other")).toBe(false);
    const touching = statements().filter((s) => s.actions.some((a) => /^(s3|kinesis|sqs|sns|secretsmanager|states):/.test(a)));
    expect(touching).toEqual([]);
  });

  it("describes and reads the results of its own statements only, and cancels none", () => {
    const id = r().one(ROLE, "MetricsApiRole").outputs.uniqueId as string;
    const other = r().one(ROLE, "LoadPlannerRole").outputs.uniqueId as string;
    const caller = { "aws:userid": `${id}:session-a` };
    for (const action of ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult"]) {
      expect(grants(action, "*", { ...caller, [STATEMENT_OWNER_KEY]: `${id}:session-b` }), action).toBe(true);
      expect(grants(action, "*", { ...caller, [STATEMENT_OWNER_KEY]: `${other}:session-a` }), action).toBe(false);
    }
    expect(grants("redshift-data:CancelStatement", "*", { ...caller, [STATEMENT_OWNER_KEY]: `${id}:session-a` })).toBe(false);
    expect(grants("tag:GetResources")).toBe(true);
    expect(grants("tag:GetTagKeys")).toBe(true);
  });
});
