/**
 * Freshet's CloudWatch metrics, as the functions emit them through Powertools (EMF): one
 * namespace, the `service` dimension Powertools adds from each function's service name, and the
 * metric names. stacks/monitoring.ts builds its alarms and dashboard from these, so renaming a
 * metric here renames it on both sides (and a metric emitted under another name fails review).
 */
export const METRICS_NAMESPACE = "Freshet";

/** Powertools' default dimension: `{ service: <POWERTOOLS_SERVICE_NAME> }`. */
export const SERVICE_DIMENSION = "service";

/** The service name each emitting function runs under (`powertoolsEnvironment` in stacks/lambda.ts). */
export const METRIC_SERVICES = {
  ingest: "ingest",
  transformer: "transformer",
  loadPlanner: "load-planner",
  anomalyDecider: "anomaly-decider",
  deadLetterTriage: "dead-letter-triage",
} as const;

export const METRIC_NAMES = {
  /** Ingest: events accepted onto the stream (per request). */
  eventsAccepted: "EventsAccepted",
  /** Transformer, per written batch: what the receipt counts. */
  recordsReceived: "RecordsReceived",
  eventsProcessed: "EventsProcessed",
  eventsFiltered: "EventsFiltered",
  eventsDeadLettered: "EventsDeadLettered",
  /** Transformer: dead letters per reason, with a `reason` dimension besides `service`. */
  deadLettersByReason: "DeadLettersByReason",
  /** Transformer: planning and writing one shard's batch, milliseconds. */
  batchDuration: "BatchDuration",
  /** Transformer: the batch's oldest `received_at` (stream arrival) to its objects written, milliseconds. */
  endToEndLag: "EndToEndLag",
  /** Load planner, per run: processed objects and events (receipts' `processed`) the load will COPY. */
  loadObjectsPlanned: "LoadObjectsPlanned",
  loadRowsPlanned: "LoadRowsPlanned",
  /**
   * Load planner, per run: seconds the oldest unloaded processed object this run saw has waited
   * since it was written (0 when nothing waits). Not emitted while maintenance pauses loading.
   */
  loadLag: "LoadLag",
  /** Anomaly decider: anomalies alerted per scoring run. */
  anomalyAlerts: "AnomalyAlerts",
} as const;

/** The dimension `DeadLettersByReason` adds. */
export const REASON_DIMENSION = "reason";
