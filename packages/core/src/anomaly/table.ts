import { DB_ROLES } from "../warehouse/db-roles.ts";

/**
 * Migration "anomalies": one row per anomaly and per recovery the AnomalyScoring workflow
 * alerted, appended by its role (`freshet_anomaly`: reads `events` for the series, inserts here);
 * the reader role reads it (`freshet anomalies list`, dashboards). SORTKEY(detected_at): every
 * read is "the newest since …". DISTSTYLE ALL: a few rows a day.
 */
export const CREATE_ANOMALIES = `CREATE TABLE IF NOT EXISTS anomalies (
  incident_id VARCHAR(1024) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  metric VARCHAR(64) NOT NULL,
  dimension VARCHAR(512) NOT NULL,
  direction VARCHAR(8) NOT NULL,
  expected DOUBLE PRECISION NOT NULL,
  observed DOUBLE PRECISION NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  threshold DOUBLE PRECISION NOT NULL,
  window_start TIMESTAMP NOT NULL,
  window_end TIMESTAMP NOT NULL,
  detected_at TIMESTAMP NOT NULL,
  execution_id VARCHAR(2048)
)
DISTSTYLE ALL
SORTKEY (detected_at)`;

export const ANOMALIES_COLUMNS = [
  "incident_id",
  "kind",
  "metric",
  "dimension",
  "direction",
  "expected",
  "observed",
  "score",
  "threshold",
  "window_start",
  "window_end",
  "detected_at",
  "execution_id",
] as const;

export const ANOMALIES_MIGRATION_STATEMENTS: readonly string[] = [
  CREATE_ANOMALIES,
  `CREATE ROLE ${DB_ROLES.anomaly}`,
  `GRANT SELECT ON TABLE events TO ROLE ${DB_ROLES.anomaly}`,
  `GRANT INSERT ON TABLE anomalies TO ROLE ${DB_ROLES.anomaly}`,
  `GRANT SELECT ON TABLE anomalies TO ROLE ${DB_ROLES.reader}`,
];
