import { DEFAULT_MAINTENANCE_THRESHOLDS, decideMaintenance, type TableHealth } from "@freshet/core";
import jsonata from "jsonata";
import { decisionExpression } from "../../packages/workflows/src/maintenance-decision.ts";
import { compareOpsPerSecond, format } from "./measure.ts";

const TABLES = 100;

/**
 * The Maintenance decision for 100 tables: core's `decideMaintenance` and the same rules in
 * JSONata as the workflow evaluates them (compiled once, as a runtime caches it), each against
 * JSON.parse of the same health rows (what reading them costs at least), as calls per second.
 */
export async function benchMaintenance(): Promise<void> {
  const health = healthOf(TABLES);
  const tables = health.map((h) => h.table);
  const text = JSON.stringify(health);
  const expression = jsonata(decisionExpression(tables));
  const parse = () => JSON.parse(text) as unknown;
  const decide = () => decideMaintenance(health, DEFAULT_MAINTENANCE_THRESHOLDS, tables);
  const inJsonata = () => expression.evaluate({}, { health, thresholds: DEFAULT_MAINTENANCE_THRESHOLDS });
  const [baseline = 0, core = 0, workflow = 0] = await compareOpsPerSecond([parse, decide, inJsonata], 3000, 150);
  console.log(`\nMaintenance decision (${TABLES} tables)`);
  console.log(`  JSON.parse of the health rows            ${format(baseline)}/s   ${format(1000 / baseline, 3)} ms`);
  console.log(`  decideMaintenance (core)                 ${format(core)}/s   ${format(1000 / core, 3)} ms   ratio ${format(core / baseline, 2)}`);
  console.log(`  the same in JSONata (the workflow)       ${format(workflow)}/s   ${format(1000 / workflow, 3)} ms   ratio ${format(workflow / baseline, 3)}`);
}

/** Tables of every kind the rules tell apart, deterministically. */
function healthOf(count: number): TableHealth[] {
  return Array.from({ length: count }, (_, i): TableHealth => {
    const rows = (i % 7) * 100_000;
    return {
      table: `t_${String(i).padStart(3, "0")}`,
      sizeMb: (i * 7919) % 900_000,
      unsortedPct: i % 5 === 0 ? null : (i * 13) % 100,
      statsOffPct: (i * 17) % 100,
      rows,
      visibleRows: rows - ((i * 3) % 10) * (rows / 100),
    };
  });
}
