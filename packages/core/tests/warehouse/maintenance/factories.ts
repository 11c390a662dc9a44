import type { TableHealth } from "@freshet/core";

/** A healthy, small, sorted table with current statistics; override what a test is about. */
export function health(overrides: Partial<TableHealth> = {}): TableHealth {
  return { table: "events", sizeMb: 120, unsortedPct: 0, statsOffPct: 0, rows: 1_000_000, visibleRows: 1_000_000, ...overrides };
}
