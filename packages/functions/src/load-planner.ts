import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { METRIC_NAMES } from "@freshet/core";
import { Resource } from "sst";
import { planLoad } from "./load/plan.ts";
import { RecordedBatches } from "./load/recorded-batches.ts";
import type { LoadPlan, PlanInput } from "./load/types.ts";
import { observability } from "./shared/observability.ts";
import { redshiftDataClient } from "./shared/redshift-data-client.ts";
import { s3Client } from "./shared/s3-client.ts";

/**
 * The Load workflow's Plan step: the next whole batches from the batch receipts no load has
 * recorded (in the first interval of each hour, the lookback's processed/ objects not in the
 * ledger: the reconciliation) → a bounded batch → `manifests/<loadId>.json` →
 * `{ loadId, manifestKey, objects, sqls, … }` for the Copy step. The work sources and the
 * concurrency guard are explained on `planLoad`.
 */
const { logger, metrics } = observability("load-planner");
/** Kept while the Lambda stays warm: each run asks the warehouse about new receipts only. */
const recordedBatches = new RecordedBatches();

async function plan(event: PlanInput | null): Promise<LoadPlan> {
  const result = await planLoad(
    {
      s3: s3Client(),
      redshift: redshiftDataClient(),
      bucket: Resource.Lake.name,
      warehouse: { workgroup: Resource.Warehouse.workgroup, database: Resource.Warehouse.database },
      copyRoleArn: Resource.Warehouse.copyRoleArn,
      recordedBatches,
      onMissingObjects: (keys) => {
        metrics.addMetric("LoadObjectsMissing", MetricUnit.Count, keys.length);
        logger.warn("receipts name processed objects the lake does not hold: their batches load without them", { keys });
      },
      // Seconds, so the Load freshness alarm compares it with the schedule's interval directly.
      onOldestWaiting: (writtenAt) => {
        metrics.addMetric(METRIC_NAMES.loadLag, MetricUnit.Seconds, writtenAt === null ? 0 : Math.max(0, (Date.now() - writtenAt.getTime()) / 1000));
      },
      onRowsPlanned: (rows) => metrics.addMetric(METRIC_NAMES.loadRowsPlanned, MetricUnit.Count, rows),
      onMissingReceipt: (keys) => {
        metrics.addMetric("LoadObjectsWithoutReceipt", MetricUnit.Count, keys.length);
        logger.warn("loading objects whose batch receipt was never written: their batches are not in the accounting", { keys });
      },
    },
    event ?? {},
  );
  metrics.addMetric(METRIC_NAMES.loadObjectsPlanned, MetricUnit.Count, result.objects);
  metrics.addMetric("LoadObjectsPending", MetricUnit.Count, result.pending);
  metrics.addMetric("LoadObjectsInFlight", MetricUnit.Count, result.inFlight);
  logger.info(result.objects > 0 ? "load planned" : "nothing to load", {
    loadId: result.loadId,
    objects: result.objects,
    receipts: result.receipts,
    pending: result.pending,
    deferred: result.deferred,
    inFlight: result.inFlight,
    via: result.via,
    executionName: event?.executionName,
  });
  return result;
}

export const handler = middy<PlanInput | null, LoadPlan>().use(injectLambdaContext(logger)).use(logMetrics(metrics)).handler(plan);
