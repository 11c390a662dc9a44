import { BOOTSTRAP_MIGRATOR_STATEMENTS, DB_ROLES, LAKE_PREFIXES, MIGRATIONS, WAREHOUSE_DATABASE_NAME, migrationChecksum } from "@freshet/core";
import type { StageConfig } from "./config.ts";
import { databaseUserPolicy, withDatabaseRoles } from "./database-roles.ts";
import { StageConfigError } from "./errors.ts";
import { createFunction, powertoolsEnvironment } from "./lambda.ts";
import type { Permission } from "./permissions.ts";

/**
 * The warehouse: a Redshift Serverless namespace (database `freshet`, admin password generated and
 * rotated by Redshift in Secrets Manager, so no secret ever passes through Freshet) and its
 * workgroup (base capacity per stage, not publicly accessible). COPY runs under `WarehouseCopy`,
 * a role only Redshift can assume that reads `processed/` and `manifests/` of the lake and
 * nothing else; it is the namespace's default role, so SQL may say `IAM_ROLE default` or its ARN.
 * `Warehouse` is linkable: a linked function gets the workgroup, database and role ARN, and the
 * Data API grants it needs to run SQL there (see `dataApiUser`).
 * The schema follows the code: `Migrate` applies core's pending migrations through the Data API,
 * and an invocation on every deploy whose migration checksums changed runs it (a failed migration
 * fails the deploy).
 * Database identities: every IAM role that runs SQL here is the database user `IAMR:<role>`, given
 * database roles by its `RedshiftDbRoles` tag (`database-roles.ts`), and may read that tag and its own
 * statements through a policy attached after its role (`databaseUserPolicy`). Migrate is `freshet_migrator`,
 * which the deploy creates first as the namespace's admin (the only superuser, whose password
 * Redshift keeps in Secrets Manager): Migrate then owns what it creates and can create the other
 * roles and grant them (core's database-roles migration).
 */

export interface WarehouseInput {
  readonly config: StageConfig;
  readonly lake: sst.aws.Bucket;
}

export type WarehouseLink = sst.Linkable<{
  workgroup: $util.Output<string>;
  database: string;
  copyRoleArn: $util.Output<string>;
}>;

export interface Warehouse {
  readonly namespace: aws.redshiftserverless.Namespace;
  readonly workgroup: aws.redshiftserverless.Workgroup;
  readonly copyRole: aws.iam.Role;
  readonly database: string;
  readonly link: WarehouseLink;
  /** Applies pending schema migrations (`packages/functions/src/migrate.ts`). */
  readonly migrate: sst.aws.Function;
  /** Migrate's tag lookups and reads of its own statements (`databaseUserPolicy`). */
  readonly migrateDatabaseUser: aws.iam.RolePolicy;
  /** Run once as the admin before the first migration: Migrate's database role (`BOOTSTRAP_MIGRATOR_STATEMENTS`). */
  readonly bootstrap: readonly aws.redshiftdata.Statement[];
  /** The deploy's run of Migrate: what starts a workflow waits for it (`stacks/workflows.ts`). */
  readonly migration: aws.lambda.Invocation;
}

/**
 * The workgroup's parameters, every one of them: AWS returns all of them on read, so a workgroup
 * that set only some would differ from its state on every deploy (the provider's `configParameters`
 * is the whole set). These are AWS's defaults for a new workgroup except the query limit:
 * loads carry their own deduplication, and a runaway query must not hold the workgroup for four hours.
 */
export const WORKGROUP_CONFIG: Readonly<Record<string, string>> = {
  auto_mv: "true",
  datestyle: "ISO, MDY",
  enable_case_sensitive_identifier: "false",
  enable_user_activity_logging: "true",
  max_query_execution_time: "3600",
  query_group: "default",
  require_ssl: "true",
  search_path: "$user, public",
  use_fips_ssl: "false",
};

function workgroupConfigParameters(): { parameterKey: string; parameterValue: string }[] {
  return Object.entries(WORKGROUP_CONFIG).map(([parameterKey, parameterValue]) => ({ parameterKey, parameterValue }));
}

/** One string that changes whenever a migration is added or edited: the deploy-time trigger. */
export function migrationsFingerprint(): string {
  return MIGRATIONS.map((m) => `${m.version}:${migrationChecksum(m)}`).join(",");
}

/** The database; core's migrations grant on it by this name. */
export const WAREHOUSE_DATABASE = WAREHOUSE_DATABASE_NAME;

/** Prefixes COPY reads: the processed events and the manifests naming them. */
export const COPY_READS = [LAKE_PREFIXES.processed, LAKE_PREFIXES.manifests] as const;

/** Namespace and workgroup names: 3–64 of lowercase letters, digits and hyphens (Redshift Serverless). */
export function warehouseName(app: string, stage: string): string {
  const name = `${app}-${stage}`.toLowerCase();
  if (!/^[a-z][a-z0-9-]{2,63}$/.test(name)) {
    throw new StageConfigError(stage, `"${name}" is not a valid Redshift Serverless namespace/workgroup name`);
  }
  return name;
}

export function createWarehouse({ config, lake }: WarehouseInput): Warehouse {
  const name = warehouseName($app.name, config.stage);
  // A protected stage keeps the warehouse (and its data) when the stage is removed, like the lake.
  const retain = { retainOnDelete: config.protected };

  const copyRole = new aws.iam.Role(
    "WarehouseCopyRole",
    {
      description: "Freshet warehouse: COPY from the lake (processed/ and manifests/ only)",
      assumeRolePolicy: $jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            // Serverless assumes the namespace's roles as either principal, depending on the feature.
            Principal: { Service: ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"] },
            Action: "sts:AssumeRole",
          },
        ],
      }),
      inlinePolicies: [{ name: "copy-from-lake", policy: $jsonStringify(copyPolicy(lake.arn)) }],
    },
    retain,
  );

  const namespace = new aws.redshiftserverless.Namespace(
    "WarehouseNamespace",
    {
      namespaceName: name,
      dbName: WAREHOUSE_DATABASE,
      adminUsername: "freshet_admin",
      manageAdminPassword: true,
      iamRoles: [copyRole.arn],
      defaultIamRoleArn: copyRole.arn,
      logExports: ["userlog", "connectionlog", "useractivitylog"],
    },
    retain,
  );

  const workgroup = new aws.redshiftserverless.Workgroup(
    "WarehouseWorkgroup",
    {
      workgroupName: name,
      namespaceName: namespace.namespaceName,
      baseCapacity: config.warehouse.baseCapacityRpu,
      publiclyAccessible: false,
      configParameters: workgroupConfigParameters(),
      // Unset, AWS places the workgroup in the default VPC (see WarehouseConfig.subnetIds).
      ...(config.warehouse.subnetIds === undefined ? {} : { subnetIds: [...config.warehouse.subnetIds] }),
      ...(config.warehouse.securityGroupIds === undefined ? {} : { securityGroupIds: [...config.warehouse.securityGroupIds] }),
    },
    retain,
  );

  const link: WarehouseLink = new sst.Linkable("Warehouse", {
    properties: { workgroup: workgroup.workgroupName, database: WAREHOUSE_DATABASE, copyRoleArn: copyRole.arn },
    include: dataApiUser(workgroup.arn).map((p) => sst.aws.permission(p)),
  });

  const migrate = createFunction("Migrate", {
    handler: "packages/functions/src/migrate.handler",
    description: "Freshet warehouse: applies pending schema migrations through the Data API",
    memory: "256 MB",
    // Statements are polled; a cold workgroup may take a minute before the first one runs.
    timeout: "900 seconds",
    link: [link],
    environment: powertoolsEnvironment("migrate"),
    transform: { role: withDatabaseRoles([DB_ROLES.migrator]) },
  });
  const migrateDatabaseUser = databaseUserPolicy("MigrateDatabaseUser", migrate.nodes.role);
  const bootstrap = bootstrapMigrator(namespace, workgroup);
  const migration = new aws.lambda.Invocation(
    "WarehouseMigration",
    {
      functionName: migrate.name,
      input: JSON.stringify({}),
      triggers: { migrations: migrationsFingerprint() },
    },
    // Migrate polls its statements and signs in as freshet_migrator: both need its database-user policy.
    { dependsOn: [workgroup, ...bootstrap, migrateDatabaseUser] },
  );

  return { namespace, workgroup, copyRole, database: WAREHOUSE_DATABASE, link, migrate, migrateDatabaseUser, migration, bootstrap };
}

/**
 * Creates Migrate's database role as the namespace's admin, through the Data API with the admin
 * secret, in order. The deployer's credentials run these (they may read the secret); no function
 * ever gets the secret. Each runs when created, and again whenever replaced (every argument forces
 * a new one): the statements look before they create (`BOOTSTRAP_MIGRATOR_STATEMENTS`).
 */
function bootstrapMigrator(namespace: aws.redshiftserverless.Namespace, workgroup: aws.redshiftserverless.Workgroup): aws.redshiftdata.Statement[] {
  const statements: aws.redshiftdata.Statement[] = [];
  for (const [i, sql] of BOOTSTRAP_MIGRATOR_STATEMENTS.entries()) {
    const previous = statements.at(-1);
    statements.push(
      new aws.redshiftdata.Statement(
        `WarehouseBootstrap${i + 1}`,
        {
          workgroupName: workgroup.workgroupName,
          database: WAREHOUSE_DATABASE,
          secretArn: namespace.adminPasswordSecretArn,
          sql,
          statementName: `freshet-bootstrap-${i + 1}`,
        },
        { dependsOn: [previous ?? workgroup] },
      ),
    );
  }
  return statements;
}

/** What COPY needs: the objects under the two prefixes, and listing limited to them. */
function copyPolicy(bucketArn: $util.Output<string>) {
  return bucketArn.apply((arn) => ({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: COPY_READS.map((prefix) => `${arn}/${prefix}*`) },
      {
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [arn],
        Condition: { StringLike: { "s3:prefix": COPY_READS.map((prefix) => `${prefix}*`) } },
      },
    ],
  }));
}

/**
 * Running SQL on the workgroup through the Data API with the caller's own IAM identity
 * (temporary database credentials from `GetCredentials`, no secret): submitting statements on the
 * workgroup. DescribeStatement, GetStatementResult and CancelStatement have no resource type in
 * IAM (they take a statement id); they are granted per role, on its own statements only, by
 * `databaseUserPolicy`, which every function linking `Warehouse` gets.
 */
export function dataApiUser(workgroupArn: $util.Input<string>): Permission[] {
  return [
    { actions: ["redshift-data:BatchExecuteStatement", "redshift-data:ExecuteStatement"], resources: [workgroupArn] },
    { actions: ["redshift-serverless:GetCredentials"], resources: [workgroupArn] },
  ];
}
