import { checkTableName } from "./health.ts";

/** What maintenance does to one table. */
export type MaintenanceDecisionKind = "none" | "analyze" | "vacuum-sort" | "vacuum-delete" | "vacuum-full";

export type VacuumKind = Exclude<MaintenanceDecisionKind, "none" | "analyze">;

/** One statement of a table's maintenance: run alone (VACUUM cannot run inside a transaction block). */
export interface MaintenanceOperation {
  readonly kind: VacuumKind | "analyze";
  readonly sql: string;
}

const VACUUM_MODE: Readonly<Record<VacuumKind, string>> = {
  "vacuum-sort": "SORT ONLY",
  "vacuum-delete": "DELETE ONLY",
  "vacuum-full": "FULL",
};

/** `VACUUM SORT ONLY events TO 95 PERCENT`: Redshift's syntax, threshold a whole percentage. */
export function vacuumSql(kind: VacuumKind, table: string, toPercent: number): MaintenanceOperation {
  return { kind, sql: `VACUUM ${VACUUM_MODE[kind]} ${checkTableName(table)} TO ${toPercent} PERCENT` };
}

/** Statistics of the columns queries filter, join and group on (all columns when none are known yet). */
export function analyzeSql(table: string): MaintenanceOperation {
  return { kind: "analyze", sql: `ANALYZE ${checkTableName(table)} PREDICATE COLUMNS` };
}
