/**
 * stacks/warehouse.ts and stacks/load.ts under the mock synthesis: Redshift Serverless namespace
 * and workgroup, the COPY role limited to processed/ and manifests/, the `Warehouse` link and
 * its Data API grants, the LoadPlanner function's least privilege, and the Load schedule.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS, stageConfig } from "../config.ts";
import { BOOTSTRAP_MIGRATOR_PROCEDURE, BOOTSTRAP_MIGRATOR_STATEMENTS, DB_ROLES, MIGRATIONS, migrationChecksum } from "@freshet/core";
import { STATEMENT_OWNER_KEY } from "@freshet/workflows";
import { DATABASE_ROLE_TAG_LOOKUP, STATEMENT_ACTIONS } from "../database-roles.ts";
import { migrationsFingerprint, WAREHOUSE_DATABASE, warehouseName } from "../warehouse.ts";
import { isAllowed, policyStatements, roleStatements, wildcardGrants } from "./harness/iam.ts";
import { synth, type SynthResult } from "./harness/synth.ts";

let result: SynthResult;
beforeAll(async () => {
  result = await synth({ stage: "ci", secrets: { IngestApiKey: "ci-key", MetricsApiKey: "ci-metrics-key" } });
});

const r = () => result.resources;
/** The RolePolicy resources attached to a role. */
const attachedTo = (role: string) =>
  r()
    .ofType("aws:iam/rolePolicy:RolePolicy", (p) => p.inputs.role === r().one("aws:iam/role:Role", role).outputs.name)
    .map((p) => p.name);
const ROLE = "aws:iam/role:Role";
const namespace = () => r().one("aws:redshiftserverless/namespace:Namespace", "WarehouseNamespace");
const workgroup = () => r().one("aws:redshiftserverless/workgroup:Workgroup", "WarehouseWorkgroup");
const copyRole = () => r().one(ROLE, "WarehouseCopyRole");
const lakeArn = () => r().one("aws:s3/bucket:Bucket", "LakeBucket").outputs.arn as string;

type Doc = { Statement: { Effect: string; Action: string[]; Resource: string[]; Condition?: unknown; Principal?: unknown }[] };
const inline = (role: string): Doc["Statement"] => {
  const policies = r().one(ROLE, role).inputs.inlinePolicies as { policy: string }[];
  return policies.flatMap((p) => (JSON.parse(p.policy) as Doc).Statement);
};
/** Every statement of a role: inline and attached after it (`databaseUserPolicy`). */
const statementsOf = (role: string) => roleStatements(r().all, r().one(ROLE, role));
const grants = (role: string, action: string, resource = "*", context: Record<string, string> = {}) =>
  isAllowed(statementsOf(role), { action, resource, context });

describe("Redshift Serverless", () => {
  it("creates the namespace with an AWS-managed admin password, database freshet and the COPY role as default", () => {
    expect(namespace().inputs).toMatchObject({
      namespaceName: "freshet-ci",
      dbName: WAREHOUSE_DATABASE,
      manageAdminPassword: true,
      iamRoles: [copyRole().outputs.arn],
      defaultIamRoleArn: copyRole().outputs.arn,
    });
    // A managed password means no password of Freshet's anywhere in the inputs.
    expect(namespace().inputs.adminUserPassword).toBeUndefined();
  });

  it("creates a private workgroup on the namespace with the stage's base capacity, in the default VPC unless the stage names subnets", () => {
    expect(workgroup().inputs).toMatchObject({
      workgroupName: "freshet-ci",
      namespaceName: namespace().outputs.namespaceName,
      baseCapacity: DEFAULTS.warehouse.baseCapacityRpu,
      publiclyAccessible: false,
    });
    expect(workgroup().inputs.subnetIds).toBeUndefined();
    expect(workgroup().inputs.securityGroupIds).toBeUndefined();
  });

  it("sets every workgroup parameter AWS returns, so a deploy after the first sees no difference", () => {
    const params = workgroup().inputs.configParameters as { parameterKey: string; parameterValue: string }[];
    const byKey = Object.fromEntries(params.map((p) => [p.parameterKey, p.parameterValue]));
    expect(params).toHaveLength(Object.keys(byKey).length);
    // The keys CreateWorkgroup documents (ConfigParameter), AWS's default for each, and the one limit Freshet changes.
    expect(byKey).toEqual({
      auto_mv: "true",
      datestyle: "ISO, MDY",
      enable_case_sensitive_identifier: "false",
      enable_user_activity_logging: "true",
      max_query_execution_time: "3600",
      query_group: "default",
      require_ssl: "true",
      search_path: "$user, public",
      use_fips_ssl: "false",
    });
  });

  it("is removed with an unprotected stage, while a protected one's is sized up", () => {
    for (const res of [namespace(), workgroup(), copyRole()]) expect(res.options.retainOnDelete).toBeFalsy();
    expect(stageConfig("production").warehouse.baseCapacityRpu).toBe(32);
    expect(stageConfig("dev-alice").warehouse.baseCapacityRpu).toBe(8);
  });

  it("names namespace and workgroup as Redshift allows, or refuses the stage", () => {
    expect(warehouseName("freshet", "Dev-Alice")).toBe("freshet-dev-alice");
    expect(() => warehouseName("freshet", "pr_12")).toThrow(/not a valid/);
  });
});

describe("COPY role", () => {
  it("can be assumed by Redshift only", () => {
    const trust = JSON.parse(copyRole().inputs.assumeRolePolicy as string) as Doc;
    expect(trust.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"] },
        Action: "sts:AssumeRole",
      },
    ]);
  });

  it("reads processed/ and manifests/ of the lake and nothing else", () => {
    expect(inline("WarehouseCopyRole")).toEqual([
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${lakeArn()}/processed/*`, `${lakeArn()}/manifests/*`] },
      {
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [lakeArn()],
        Condition: { StringLike: { "s3:prefix": ["processed/*", "manifests/*"] } },
      },
    ]);
  });
});

describe("Warehouse link", () => {
  it("carries workgroup, database and COPY role ARN", () => {
    const ref = r().one("sst:sst:LinkRef", "WarehouseLinkRef");
    expect(ref.inputs.properties).toEqual({
      workgroup: workgroup().outputs.workgroupName,
      database: WAREHOUSE_DATABASE,
      copyRoleArn: copyRole().outputs.arn,
    });
  });

  it("grants submitting SQL on the workgroup; statement reads are each role's own (databaseUserPolicy)", () => {
    const include = r().one("sst:sst:LinkRef", "WarehouseLinkRef").inputs.include as {
      type: string;
      actions: string[];
      resources: string[];
      conditions?: { test: string; variable: string; values: string[] }[];
    }[];
    const wg = workgroup().outputs.arn;
    expect(include.map(({ actions, resources, conditions }) => ({ actions, resources, conditions }))).toEqual([
      { actions: ["redshift-data:BatchExecuteStatement", "redshift-data:ExecuteStatement"], resources: [wg], conditions: undefined },
      { actions: ["redshift-serverless:GetCredentials"], resources: [wg], conditions: undefined },
    ]);
    for (const item of include) expect(item.type).toBe("aws.permission");
  });
});

describe("LoadPlanner", () => {
  it("links Lake and Warehouse and runs the planner handler on Node 24 arm64", () => {
    const { fn } = r().lambda("LoadPlanner");
    expect(fn.inputs).toMatchObject({ runtime: "nodejs24.x", architectures: ["arm64"] });
    const build = result.builds.find((b) => b.functionID === "LoadPlanner");
    expect(build?.handler).toBe("packages/functions/src/load-planner.handler");
    expect(Object.keys(build?.links ?? {}).sort()).toEqual(["Lake", "Warehouse"]);
    expect(build?.links.Warehouse).toMatchObject({ workgroup: "freshet-ci", database: WAREHOUSE_DATABASE });
  });

  it("may list processed/, receipts/ and load claims, read receipts/ and claims, write manifests/ and use the Data API, nothing more", () => {
    const wg = workgroup().outputs.arn;
    const statements = inline("LoadPlannerRole").map((s) => ({
      Action: [...s.Action].sort(),
      Resource: [...s.Resource].sort(),
      ...(s.Condition === undefined ? {} : { Condition: s.Condition }),
    }));
    expect(statements).toEqual(
      expect.arrayContaining([
        { Action: ["s3:ListBucket"], Resource: [lakeArn()], Condition: { StringLike: { "s3:prefix": ["processed/*", "receipts/*", "manifests/in-flight/*", "manifests/state/maintenance-lease.json", "manifests/state/load-planner.json"] } } },
        { Action: ["s3:GetObject"], Resource: [`${lakeArn()}/manifests/in-flight/*`, `${lakeArn()}/manifests/state/*`, `${lakeArn()}/receipts/*`] },
        { Action: ["s3:PutObject"], Resource: [`${lakeArn()}/manifests/*`] },
        { Action: ["s3:DeleteObject"], Resource: [`${lakeArn()}/manifests/in-flight/*`] },
        { Action: ["redshift-data:BatchExecuteStatement", "redshift-data:ExecuteStatement"], Resource: [wg] },
        { Action: ["redshift-serverless:GetCredentials"], Resource: [wg] },
      ]),
    );
    // SST adds its own statements (encryption of the link payload …) but nothing on S3 or Redshift beyond these.
    const touching = statements.filter((s) => s.Action.some((a) => a.startsWith("s3:") || a.startsWith("redshift")));
    expect(touching).toHaveLength(6);
    // Its statement reads are attached after the role, on its own statements only.
    expect(attachedTo("LoadPlannerRole")).toEqual(["LoadPlannerDatabaseUser"]);
  });
});

describe("Migrate", () => {
  it("links Warehouse only and runs the migrate handler", () => {
    const { fn } = r().lambda("Migrate");
    expect(fn.inputs).toMatchObject({ runtime: "nodejs24.x", architectures: ["arm64"] });
    const build = result.builds.find((b) => b.functionID === "Migrate");
    expect(build?.handler).toBe("packages/functions/src/migrate.handler");
    expect(Object.keys(build?.links ?? {})).toEqual(["Warehouse"]);
    const touching = statementsOf("MigrateRole").filter((s) => s.actions.some((a) => a.startsWith("s3:") || a.startsWith("redshift")));
    expect(touching.flatMap((s) => s.actions).sort()).toEqual(
      ["redshift-data:BatchExecuteStatement", "redshift-data:CancelStatement", "redshift-data:DescribeStatement", "redshift-data:ExecuteStatement", "redshift-data:GetStatementResult", "redshift-serverless:GetCredentials"].sort(),
    );
  });

  it("is invoked on deploy, and again whenever a migration is added or edited", () => {
    const invocation = r().one("aws:lambda/invocation:Invocation", "WarehouseMigration");
    expect(invocation.inputs.functionName).toBe(r().lambda("Migrate").fn.outputs.name);
    expect(invocation.inputs.triggers).toEqual({ migrations: migrationsFingerprint() });
    expect(migrationsFingerprint().split(",")).toEqual(MIGRATIONS.map((m) => `${m.version}:${migrationChecksum(m)}`));
  });

  it("runs only once the workgroup, the bootstrap and Migrate's database-user policy exist", () => {
    const invocation = r().one("aws:lambda/invocation:Invocation", "WarehouseMigration");
    expect(invocation.options.dependsOn).toEqual(["WarehouseWorkgroup", "WarehouseBootstrap1", "WarehouseBootstrap2", "MigrateDatabaseUser"]);
    expect(attachedTo("MigrateRole")).toEqual(["MigrateDatabaseUser"]);
  });
});

describe("Load workflow", () => {
  it("is started every loadIntervalMinutes by EventBridge Scheduler", () => {
    const schedule = r().one("aws:scheduler/schedule:Schedule", "LoadIntervalSchedule");
    expect(schedule.inputs).toMatchObject({ name: "freshet-ci-Load-Interval", scheduleExpression: "rate(5 minutes)" });
    expect(schedule.inputs.target.arn).toBe(r().one("aws:sfn/stateMachine:StateMachine", "LoadStateMachine").outputs.arn);
  });

  it("has a role that invokes exactly the planner and submits SQL on exactly this workgroup", () => {
    const fnArn = r().lambda("LoadPlanner").fn.outputs.arn;
    const statements = inline("LoadWorkflowRole");
    expect(statements).toContainEqual({ Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [fnArn, `${fnArn}:*`] });
    expect(statements).toContainEqual({
      Effect: "Allow",
      Action: ["redshift-data:BatchExecuteStatement", "redshift-data:ExecuteStatement"],
      Resource: [workgroup().outputs.arn],
    });
  });

  it("touches the lake only for its claims and its two incident markers (create, read, delete)", () => {
    const s3 = inline("LoadWorkflowRole").filter((s) => s.Action.some((a: string) => a.startsWith("s3:")));
    expect(s3).toEqual([
      { Effect: "Allow", Action: ["s3:DeleteObject"], Resource: [`${lakeArn()}/manifests/in-flight/*`] },
      {
        Effect: "Allow",
        Action: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        Resource: [`${lakeArn()}/manifests/state/load-outage.json`, `${lakeArn()}/manifests/state/load-rejected.json`],
      },
    ]);
  });
});

describe("database identities (RedshiftDbRoles principal tags)", () => {
  const tags = (role: string) => (r().one(ROLE, role).inputs.tags ?? {}) as Record<string, string>;

  it("maps Migrate, LoadPlanner and the Load state machine to their database roles", () => {
    expect(tags("MigrateRole")).toMatchObject({ RedshiftDbRoles: DB_ROLES.migrator });
    expect(tags("LoadPlannerRole")).toMatchObject({ RedshiftDbRoles: DB_ROLES.planner });
    expect(tags("LoadWorkflowRole")).toMatchObject({ RedshiftDbRoles: DB_ROLES.loader });
  });

  it("tags exactly the roles that may run SQL on the workgroup, each with one role", () => {
    const runsSql = (role: string) => inline(role).some((s) => s.Action.includes("redshift-data:ExecuteStatement"));
    const roles = r().ofType(ROLE).map((role) => role.name);
    const tagged = roles.filter((role) => tags(role).RedshiftDbRoles !== undefined).sort();
    expect(tagged).toEqual(roles.filter(runsSql).sort());
    expect(tagged).toEqual(["AnomalyScoringWorkflowRole", "LoadPlannerRole", "LoadWorkflowRole", "MaintenanceWorkflowRole", "MetricsApiRole", "MigrateRole"]);
    for (const role of tagged) expect(tags(role).RedshiftDbRoles, role).toMatch(/^freshet_[a-z]+$/);
  });

  const tagged = () => r().ofType(ROLE).filter((role) => tags(role.name).RedshiftDbRoles !== undefined).map((role) => role.name);

  it("lets every tagged role, and no other, read tags: Redshift looks up RedshiftDbRoles with the caller's credentials", () => {
    expect(tagged()).toHaveLength(6);
    for (const role of r().ofType(ROLE).map((x) => x.name)) {
      for (const action of DATABASE_ROLE_TAG_LOOKUP.actions) {
        expect(grants(role, action), `${role} ${action}`).toBe(tagged().includes(role));
      }
    }
  });

  it("lets every role that runs SQL read and cancel the statements of any of its own sessions, and of no other role", () => {
    const roles = r().ofType(ROLE);
    for (const role of tagged()) {
      const id = r().one(ROLE, role).outputs.uniqueId as string;
      const other = roles.find((x) => x.name !== role && tagged().includes(x.name))!.outputs.uniqueId as string;
      // Step Functions and Lambda choose the session name: the statement's submitter may be another session of the role.
      const caller = { "aws:userid": `${id}:session-a` };
      for (const action of STATEMENT_ACTIONS) {
        if (!grants(role, action, "*", { ...caller, [STATEMENT_OWNER_KEY]: `${id}:session-a` })) continue; // AnomalyScoring never cancels
        expect(grants(role, action, "*", { ...caller, [STATEMENT_OWNER_KEY]: `${id}:session-b` }), `${role} ${action}`).toBe(true);
        expect(grants(role, action, "*", { ...caller, [STATEMENT_OWNER_KEY]: `${other}:session-a` }), `${role} ${action}`).toBe(false);
      }
      expect(grants(role, "redshift-data:DescribeStatement", "*", { ...caller, [STATEMENT_OWNER_KEY]: `${id}:session-b` }), role).toBe(true);
    }
  });

  it("creates Migrate's role first, as the namespace admin through its managed secret, with statements that may run again", () => {
    const statements = r().ofType("aws:redshiftdata/statement:Statement");
    expect(statements.map((s) => s.name)).toEqual(["WarehouseBootstrap1", "WarehouseBootstrap2"]);
    expect(statements.map((s) => s.inputs.sql)).toEqual([...BOOTSTRAP_MIGRATOR_STATEMENTS]);
    // A replaced Statement runs again on a warehouse that has the role: a bare CREATE ROLE would fail there.
    expect(statements[0]?.inputs.sql).toMatch(/^CREATE OR REPLACE PROCEDURE /);
    expect(statements[0]?.inputs.sql).toContain(`IF NOT EXISTS (SELECT 1 FROM svv_roles WHERE role_name = '${DB_ROLES.migrator}') THEN`);
    expect(statements[1]?.inputs.sql).toBe(`CALL ${BOOTSTRAP_MIGRATOR_PROCEDURE}()`);
    const secret = namespace().outputs.adminPasswordSecretArn as string;
    expect(secret).toMatch(/^arn:aws:secretsmanager:/);
    for (const s of statements) {
      expect(s.inputs).toMatchObject({ workgroupName: workgroup().outputs.workgroupName, database: WAREHOUSE_DATABASE, secretArn: secret });
    }
    // No function can read the admin secret: only the deployer's bootstrap uses it.
    const secretReaders = policyStatements(r().all, result.calls).filter((s) => JSON.stringify(s).includes("secretsmanager:GetSecretValue"));
    expect(secretReaders).toEqual([]);
  });
});

it("grants no wildcard action anywhere, the warehouse included", () => {
  const statements = policyStatements(r().all, result.calls);
  expect(statements.some((s) => s.source.includes("WarehouseCopyRole"))).toBe(true);
  expect(wildcardGrants(statements)).toEqual([]);
});
