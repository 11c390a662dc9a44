import { describe, expect, it } from "vitest";
import { checkRedshiftSql } from "./redshift-sql.ts";

describe("checkRedshiftSql (the parser check and its documented exceptions)", () => {
  it("rejects SQL that is not Redshift", () => {
    for (const bad of [
      "SELEC 1",
      "SELECT 1; SELECT 2",
      "INSERT INTO t VALUES ('a'",
      "COPY t FROM 's3://b/m.json' IAM_ROLE 'arn' FORMAT AS JSON 'auto'", // no MANIFEST
      "COPY t FROM 's3://b/m.json' IAM_ROLE 'arn' MANIFEST FORMAT AS JSON 'auto' GZIP TIMEFORMAT 'auto'; DROP TABLE events",
      "CREATE TEMP TABLE s (a INT)",
      "CREATE TABLE t (a INT) SORTKEY (a) GARBAGE",
      "CREATE ROLE a b",
      "GRANT ROLE sys:superuser TO bob",
      "GRANT SELECT ON TABLE t TO ROLE r, bob",
      "GRANT SELEC ON TABLE t TO ROLE r",
      "ALTER DEFAULT PRIVILEGES FOR EVERYONE GRANT SELECT ON TABLES TO ROLE r",
      "CALL p(); DROP TABLE events",
      "CREATE OR REPLACE PROCEDURE p() AS $$ BEGIN DROP TABLE events; END; $$ LANGUAGE plpgsql",
      "CREATE OR REPLACE PROCEDURE p() AS $$ BEGIN IF NOT EXISTS (SELEC 1) THEN EXECUTE 'CREATE ROLE r'; END IF; END; $$ LANGUAGE plpgsql",
      "CREATE OR REPLACE PROCEDURE p() AS $$ BEGIN IF NOT EXISTS (SELECT 1) THEN EXECUTE 'CREATE ROLE a b'; END IF; END; $$ LANGUAGE plpgsql",
    ]) {
      expect(() => checkRedshiftSql(bad), bad).toThrow();
    }
  });

  it("accepts the exceptions only in Freshet's forms and says which applied", () => {
    expect(checkRedshiftSql("CREATE TEMP TABLE s (LIKE events)").exceptions).toEqual(["create_like"]);
    expect(checkRedshiftSql("CREATE TABLE t (a INT, p SUPER) DISTSTYLE KEY DISTKEY (a) SORTKEY (a)").exceptions).toEqual(["table_attributes", "super_type"]);
    expect(checkRedshiftSql("SELECT 1 AS a").exceptions).toEqual([]);
    expect(checkRedshiftSql("DROP VIEW IF EXISTS audit_balance").exceptions).toEqual(["drop_view"]);
    expect(() => checkRedshiftSql("DROP VIEW a, b CASCADE")).toThrow(/DROP VIEW/);
    for (const sql of [
      "CREATE ROLE freshet_loader",
      "GRANT ROLE sys:superuser TO ROLE freshet_migrator",
      "GRANT SELECT, INSERT ON TABLE events, loads TO ROLE freshet_loader",
      "GRANT SELECT ON TABLE v TO ROLE a, ROLE b",
      "GRANT TEMP ON DATABASE freshet TO ROLE freshet_loader",
      "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ROLE freshet_reader",
    ]) {
      expect(checkRedshiftSql(sql).exceptions, sql).toEqual(["access_control"]);
    }
    const procedure = "CREATE OR REPLACE PROCEDURE p()\nAS $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM svv_roles WHERE role_name = 'r') THEN\n    EXECUTE 'CREATE ROLE r';\n  END IF;\nEND;\n$$ LANGUAGE plpgsql";
    expect(checkRedshiftSql(procedure)).toEqual({ type: "procedure", exceptions: ["procedure"] });
    expect(checkRedshiftSql("CALL p()")).toEqual({ type: "call", exceptions: ["procedure"] });
  });
});
