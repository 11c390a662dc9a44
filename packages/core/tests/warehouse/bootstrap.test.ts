import { describe, expect, it } from "vitest";
import { BOOTSTRAP_MIGRATOR_PROCEDURE, BOOTSTRAP_MIGRATOR_STATEMENTS, DB_ROLES } from "@freshet/core";
import { procedureSteps } from "./redshift-sql.ts";

/**
 * The deploy's bootstrap runs again whenever its resources are replaced or re-created (every
 * argument of a redshiftdata Statement forces a new one), on a warehouse that already has the role:
 * Redshift has no CREATE ROLE IF NOT EXISTS, so each statement must look before it creates.
 */
describe("the deploy's bootstrap of Migrate's role", () => {
  const [create, call] = BOOTSTRAP_MIGRATOR_STATEMENTS;

  it("creates the role and grants it sys:superuser from a procedure it then calls", () => {
    expect(BOOTSTRAP_MIGRATOR_STATEMENTS).toHaveLength(2);
    expect(create).toMatch(new RegExp(`^CREATE OR REPLACE PROCEDURE ${BOOTSTRAP_MIGRATOR_PROCEDURE}\\(\\)`));
    expect(call).toBe(`CALL ${BOOTSTRAP_MIGRATOR_PROCEDURE}()`);
    expect(procedureSteps(create).map((s) => s.run)).toEqual([`CREATE ROLE ${DB_ROLES.migrator}`, `GRANT ROLE sys:superuser TO ROLE ${DB_ROLES.migrator}`]);
  });

  it("runs no statement that fails when run twice: each step looks up what it creates first", () => {
    for (const statement of BOOTSTRAP_MIGRATOR_STATEMENTS) expect(statement).not.toMatch(/^(CREATE|GRANT) ROLE\b/);
    const [role, grant] = procedureSteps(create);
    expect(role?.unless).toBe(`SELECT 1 FROM svv_roles WHERE role_name = '${DB_ROLES.migrator}'`);
    expect(grant?.unless).toBe(`SELECT 1 FROM svv_role_grants WHERE role_name = '${DB_ROLES.migrator}' AND granted_role_name = 'sys:superuser'`);
  });
});
