import { HEALTH_COLUMNS, MAINTAINED_TABLES } from "@freshet/core";
import { cell } from "./load.ts";

/*
 * The Maintenance workflow's Decide step: core's `decideMaintenance` written in JSONata, so the
 * state machine decides without a Lambda. It reads `$health` (rows as `healthRows` builds them)
 * and `$thresholds` (core's `MaintenanceThresholds`), and yields what `decideMaintenance` returns
 * for Freshet's tables; tests/maintenance-decision.test.ts runs both on the same inputs and
 * requires the same answer, so the rules live in core and this stays a translation.
 */

const COLUMN = Object.fromEntries(HEALTH_COLUMNS.map((c, i) => [c, i])) as Record<(typeof HEALTH_COLUMNS)[number], number>;

/** GetStatementResult records of core's health query → core's `TableHealth` objects (an array, even of one). */
export const healthRows = (records: string) => `[$map(${records}, function($row) { {
  'table': ${cell("$row", COLUMN.table)},
  'sizeMb': ${cell("$row", COLUMN.size)},
  'unsortedPct': ${cell("$row", COLUMN.unsorted)},
  'statsOffPct': ${cell("$row", COLUMN.stats_off)},
  'rows': ${cell("$row", COLUMN.tbl_rows)},
  'visibleRows': ${cell("$row", COLUMN.estimated_visible_rows)} } })]`;

/** `decideMaintenance($health, $thresholds, tables)` in JSONata. */
export function decisionExpression(tables: readonly string[] = MAINTAINED_TABLES): string {
  const names = tables.map((t) => `'${t}'`).join(", ");
  return `(
  $t := $thresholds;
  $two := function($v) { $floor($v * 100 + 0.5) / 100 };
  $empty := function($name, $h) { { 'table': $name, 'decision': 'none', 'operations': [],
    'reason': { 'rows': 0, 'sizeMb': $exists($h) ? $h.sizeMb : 0, 'unsortedPct': null, 'statsOffPct': 0, 'deletedPct': 0,
      'large': false, 'exceeded': [], 'skipped': 'empty' } } };
  $decide := function($name) { (
    $h := $health[table = $name][0];
    $not($exists($h)) or $h.rows <= 0 ? $empty($name, $h) : (
      $unsortedPct := $h.unsortedPct = null ? null : $two($h.unsortedPct);
      $statsOffPct := $two($h.statsOffPct);
      $deletedPct := $two(($h.rows - $min([$h.visibleRows, $h.rows])) / $h.rows * 100);
      $large := $h.sizeMb >= $t.largeTableMb;
      $unsorted := $unsortedPct = null ? false : $unsortedPct > $t.minUnsortedPct;
      $tooUnsorted := $unsorted and $large and $unsortedPct >= $t.maxUnsortedPct;
      $sort := $unsorted and $not($tooUnsorted);
      $deleted := $deletedPct > $t.deletedPct;
      $stale := $statsOffPct > $t.statsOffPct;
      $vacuum := $sort and $deleted ? 'vacuum-full' : ($sort ? 'vacuum-sort' : ($deleted ? 'vacuum-delete' : null));
      $mode := { 'vacuum-full': 'FULL', 'vacuum-sort': 'SORT ONLY', 'vacuum-delete': 'DELETE ONLY' };
      $to := $large ? $floor(100 - ($vacuum = 'vacuum-delete' ? $t.deletedPct : $t.minUnsortedPct)) : 100;
      {
        'table': $name,
        'decision': $vacuum != null ? $vacuum : ($stale ? 'analyze' : 'none'),
        'operations': [
          $vacuum != null ? { 'kind': $vacuum, 'sql': 'VACUUM ' & $lookup($mode, $vacuum) & ' ' & $name & ' TO ' & $string($to) & ' PERCENT' },
          $stale ? { 'kind': 'analyze', 'sql': 'ANALYZE ' & $name & ' PREDICATE COLUMNS' }
        ],
        'reason': { 'rows': $h.rows, 'sizeMb': $h.sizeMb, 'unsortedPct': $unsortedPct, 'statsOffPct': $statsOffPct, 'deletedPct': $deletedPct,
          'large': $large, 'exceeded': [$unsorted ? 'unsorted', $stale ? 'stats_off', $deleted ? 'deleted'],
          'skipped': $tooUnsorted ? 'deep-copy-advised' : null }
      }
    )
  ) };
  [$sort([$map([${names}], $decide)], function($a, $b) { $a.reason.sizeMb > $b.reason.sizeMb or ($a.reason.sizeMb = $b.reason.sizeMb and $a.table > $b.table) })]
)`;
}
