import { InvalidTableHealthError } from "./errors.ts";
import { checkTableName, MAINTAINED_TABLES, type TableHealth } from "./health.ts";
import { analyzeSql, vacuumSql, type MaintenanceDecisionKind, type MaintenanceOperation, type VacuumKind } from "./operations.ts";
import type { MaintenanceThresholds } from "./settings.ts";

/** Which thresholds a table exceeded. */
export type MaintenanceTrigger = "unsorted" | "stats_off" | "deleted";

/** Why a table gets what it gets: its numbers (2 decimals) and the thresholds they crossed. */
export interface MaintenanceReason {
  readonly rows: number;
  readonly sizeMb: number;
  readonly unsortedPct: number | null;
  readonly statsOffPct: number;
  readonly deletedPct: number;
  readonly large: boolean;
  readonly exceeded: readonly MaintenanceTrigger[];
  /** `empty`: nothing to maintain; `deep-copy-advised`: a large table too unsorted for a vacuum to pay. */
  readonly skipped: "empty" | "deep-copy-advised" | null;
}

export interface TableDecision {
  readonly table: string;
  readonly decision: MaintenanceDecisionKind;
  /** Statements in order: the vacuum, then ANALYZE when statistics are off too (as the awslabs utility runs them). */
  readonly operations: readonly MaintenanceOperation[];
  readonly reason: MaintenanceReason;
}

/**
 * Per table: nothing, ANALYZE, or a VACUUM (then ANALYZE if stats are off as well).
 * - empty (no SVV_TABLE_INFO row, or no rows): nothing;
 * - sort needed: unsorted > minUnsortedPct, except a large table at maxUnsortedPct or more;
 * - delete needed: deleted share > deletedPct;
 * - both → VACUUM FULL, one → SORT ONLY / DELETE ONLY;
 * - stats_off > statsOffPct → ANALYZE … PREDICATE COLUMNS (after the vacuum, if any).
 * Small tables are vacuumed TO 100 PERCENT (cheap, and leaves them fully sorted); large ones stop
 * at the threshold (TO 100 − minUnsortedPct, or 100 − deletedPct for a delete) to bound the work.
 * Ordered smallest first (then by name), like the utility, so a budget reaches the most tables.
 */
export function decideMaintenance(
  health: readonly TableHealth[],
  thresholds: MaintenanceThresholds,
  tables: readonly string[] = MAINTAINED_TABLES,
): TableDecision[] {
  const byTable = new Map<string, TableHealth>();
  for (const h of health) byTable.set(checkHealth(h).table, h);
  return tables
    .map((table) => decideTable(checkTableName(table), byTable.get(table), thresholds))
    .sort((a, b) => a.reason.sizeMb - b.reason.sizeMb || (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
}

function decideTable(table: string, health: TableHealth | undefined, t: MaintenanceThresholds): TableDecision {
  if (health === undefined || health.rows <= 0) return { table, decision: "none", operations: [], reason: emptyReason(health) };
  const unsortedPct = health.unsortedPct === null ? null : twoDecimals(health.unsortedPct);
  const statsOffPct = twoDecimals(health.statsOffPct);
  const deletedPct = twoDecimals(((health.rows - Math.min(health.visibleRows, health.rows)) / health.rows) * 100);
  const large = health.sizeMb >= t.largeTableMb;

  const unsorted = unsortedPct !== null && unsortedPct > t.minUnsortedPct;
  const tooUnsorted = unsorted && large && unsortedPct >= t.maxUnsortedPct;
  const sort = unsorted && !tooUnsorted;
  const deleted = deletedPct > t.deletedPct;
  const stale = statsOffPct > t.statsOffPct;

  const vacuum: VacuumKind | null = sort && deleted ? "vacuum-full" : sort ? "vacuum-sort" : deleted ? "vacuum-delete" : null;
  const operations: MaintenanceOperation[] = [];
  if (vacuum !== null) operations.push(vacuumSql(vacuum, table, toPercent(vacuum, large, t)));
  if (stale) operations.push(analyzeSql(table));
  const exceeded: MaintenanceTrigger[] = [];
  if (unsorted) exceeded.push("unsorted");
  if (stale) exceeded.push("stats_off");
  if (deleted) exceeded.push("deleted");
  return {
    table,
    decision: vacuum ?? (stale ? "analyze" : "none"),
    operations,
    reason: { rows: health.rows, sizeMb: health.sizeMb, unsortedPct, statsOffPct, deletedPct, large, exceeded, skipped: tooUnsorted ? "deep-copy-advised" : null },
  };
}

function toPercent(kind: VacuumKind, large: boolean, t: MaintenanceThresholds): number {
  if (!large) return 100;
  return Math.floor(100 - (kind === "vacuum-delete" ? t.deletedPct : t.minUnsortedPct));
}

function emptyReason(health: TableHealth | undefined): MaintenanceReason {
  return {
    rows: 0,
    sizeMb: health?.sizeMb ?? 0,
    unsortedPct: null,
    statsOffPct: 0,
    deletedPct: 0,
    large: false,
    exceeded: [],
    skipped: "empty",
  };
}

/**
 * Half up at the second decimal with the same double arithmetic JSONata's `$floor` does, so the
 * workflow's decision (the same rules in JSONata) reports the very same numbers.
 */
export function twoDecimals(value: number): number {
  return Math.floor(value * 100 + 0.5) / 100;
}

function checkHealth(h: TableHealth): TableHealth {
  const bad = (what: string) => new InvalidTableHealthError(`health of ${JSON.stringify(h.table)}: ${what}`);
  if (typeof h.table !== "string" || h.table.length === 0) throw bad("no table name");
  for (const [name, value] of [["sizeMb", h.sizeMb], ["statsOffPct", h.statsOffPct], ["rows", h.rows], ["visibleRows", h.visibleRows]] as const) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw bad(`${name} must be a number ≥ 0, got ${String(value)}`);
  }
  if (h.unsortedPct !== null && (typeof h.unsortedPct !== "number" || !Number.isFinite(h.unsortedPct) || h.unsortedPct < 0 || h.unsortedPct > 100)) {
    throw bad(`unsortedPct must be null or 0..100, got ${String(h.unsortedPct)}`);
  }
  if (h.statsOffPct > 100) throw bad(`statsOffPct must be 0..100, got ${h.statsOffPct}`);
  return h;
}
