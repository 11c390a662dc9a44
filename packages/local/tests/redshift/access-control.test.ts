import { BatchExecuteStatementCommand } from "@aws-sdk/client-redshift-data";
import { DATABASE_ROLES_VERSION, MIGRATIONS } from "@freshet/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isNoOpAccessControl } from "../../src/redshift/sql/access-control.ts";
import { significant, tokenize } from "../../src/redshift/sql/tokens.ts";
import { startRedshift, WORKGROUP, type RedshiftHarness } from "./harness.ts";

const accepted = (sql: string) => isNoOpAccessControl(significant(tokenize(sql)));

describe("access-control statements the local engine accepts as no-ops", () => {
  it("recognises exactly CREATE ROLE, GRANT … TO ROLE and ALTER DEFAULT PRIVILEGES … TO ROLE", () => {
    for (const sql of [
      "CREATE ROLE freshet_loader",
      "GRANT SELECT, INSERT ON TABLE events, loads TO ROLE freshet_loader",
      "GRANT SELECT ON TABLE v TO ROLE a, ROLE b",
      "GRANT TEMP ON DATABASE freshet TO ROLE freshet_loader",
      "GRANT ROLE sys:superuser TO ROLE freshet_migrator",
      "alter default privileges in schema public grant select on tables to role freshet_reader",
    ]) {
      expect(accepted(sql), sql).toBe(true);
    }
    for (const sql of [
      "CREATE ROLE",
      "CREATE ROLE a b",
      "CREATE TABLE role (a INT)",
      "GRANT SELECT ON TABLE t TO bob",
      "GRANT SELECT ON TABLE t TO ROLE r, bob",
      "GRANT SELECT ON TABLE t TO ROLE",
      "GRANT SELECT ON TABLE t TO ROLE r,",
      "REVOKE SELECT ON TABLE t FROM ROLE r",
      "DROP ROLE r",
      "ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM ROLE r",
      "SELECT 'GRANT x TO ROLE r'",
    ]) {
      expect(accepted(sql), sql).toBe(false);
    }
  });
});

describe("the database-roles migration on the local engine", () => {
  let h: RedshiftHarness;
  beforeAll(async () => {
    h = await startRedshift();
  });
  afterAll(() => h.dispose());

  it("runs as one BatchExecuteStatement and changes nothing else", async () => {
    await h.sql("CREATE TABLE loads (load_id VARCHAR(128) NOT NULL)");
    await h.sql("INSERT INTO loads VALUES ('l1')");
    const roles = MIGRATIONS.find((m) => m.version === DATABASE_ROLES_VERSION)!;
    const { Id } = await h.client.send(new BatchExecuteStatementCommand({ ...WORKGROUP, Sqls: [...roles.statements, "SELECT COUNT(*) FROM loads"] }));
    const done = await h.waitFor(Id!);
    expect(done.Status, done.Error).toBe("FINISHED");
    expect(await h.rows("SELECT load_id FROM loads")).toEqual([["l1"]]);
  });

  it("still rejects access control it does not model, as DuckDB has none", async () => {
    await expect(h.sql("GRANT SELECT ON TABLE loads TO bob")).rejects.toThrow(/FAILED/);
    await expect(h.sql("REVOKE SELECT ON TABLE loads FROM ROLE freshet_reader")).rejects.toThrow(/FAILED/);
  });
});
