import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { METRICS_VIEWS } from "@freshet/core";
import { SFNClient } from "@aws-sdk/client-sfn";
import { LOCAL_WAREHOUSE } from "../deploy/index.ts";
import { warehouseStatus, type WarehouseStatus } from "../platform/warehouse-status.ts";
import { tallyExecutions, type ExecutionTally } from "../platform/execution-tally.ts";
import { describeMaintenance, describeTriage, latestFinished } from "../platform/latest-outcomes.ts";
import { startPlatform } from "../platform/start-platform.ts";
import { startTraffic } from "../traffic/generator.ts";
import { historySent, markHistorySent, sendHistory } from "../traffic/history.ts";
import { parseIncidentPlan, type Incident } from "../traffic/incidents.ts";
import { sendEvents } from "../traffic/send.ts";

/**
 * `npm start`: Freshet's streaming pipeline on this machine, with synthetic traffic.
 * FRESHET_PORT (default 3000: ingest API; the AWS endpoint uses the next port),
 * FRESHET_DATA_DIR (default .freshet), FRESHET_TRAFFIC_RATE (events/s, default 200, 0 = none),
 * FRESHET_LOAD_SCHEDULE (the Load workflow's schedule locally, default `rate(5 seconds)`, a
 * local-only form), FRESHET_MAINTENANCE_SCHEDULE (default `rate(10 minutes)`: each VACUUM holds
 * the loads back while it runs), FRESHET_SCHEDULE (every other workflow's, default
 * `rate(1 minute)`); `keep` leaves the deployed expressions. FRESHET_INCIDENTS (`default`: a
 * campaign's conversions drop for 10 minutes from minute 8, page views spike from minute 26,
 * hourly; `none`; or a list, see `parseIncidentPlan`), FRESHET_HISTORY_MINUTES (default 40: on a
 * new data directory, that much history is sent first so the anomaly series have a baseline).
 */
const dataDir = process.env.FRESHET_DATA_DIR ?? ".freshet";
const port = Number(process.env.FRESHET_PORT ?? 3000);
const rate = Number(process.env.FRESHET_TRAFFIC_RATE ?? 200);
const incidentPlan = parseIncidentPlan(process.env.FRESHET_INCIDENTS);
const historyMinutes = Number(process.env.FRESHET_HISTORY_MINUTES ?? 40);

const loadSchedule = process.env.FRESHET_LOAD_SCHEDULE ?? "rate(5 seconds)";
const maintenanceSchedule = process.env.FRESHET_MAINTENANCE_SCHEDULE ?? "rate(10 minutes)";
const otherSchedule = process.env.FRESHET_SCHEDULE ?? "rate(1 minute)";
const platform = await startPlatform({
  dataDir,
  port,
  batchingWindowSeconds: 1,
  scheduleOverride: ({ workflow, expression }) => {
    const chosen = workflow === "Load" ? loadSchedule : workflow === "Maintenance" ? maintenanceSchedule : otherSchedule;
    return chosen === "keep" ? expression : chosen;
  },
  log: (line) => console.log(`\n${line}`),
});
const traffic = rate > 0 ? startTraffic(platform.ingestUrl, platform.apiKey, rate, { incidents: incidentPlan }) : undefined;
// A new data directory first gets recent history, up to where live traffic starts (no gap).
let history = "";
if (traffic && historyMinutes > 0 && !historySent(platform.dataDir)) {
  const until = new Date();
  history = `history 0/${historyMinutes} min`;
  sendHistory((lines) => sendEvents(platform.ingestUrl, platform.apiKey, lines), {
    ratePerSecond: rate,
    minutes: historyMinutes,
    until,
    onMinute: (done, total) => (history = done < total ? `history ${done}/${total} min` : ""),
  }).then(
    (accepted) => markHistorySent(platform.dataDir, { minutes: historyMinutes, accepted, until: until.toISOString() }),
    (error: unknown) => (history = `history failed: ${error instanceof Error ? error.message : String(error)}`),
  );
}
const describeIncident = (i: Incident) => (i.kind === "conversion-drop" ? `conversion drop (${i.campaign})` : `page views x${i.factor}`);

console.log(`
Freshet is running locally (data in ${platform.dataDir})

  Ingest      POST ${platform.ingestUrl}
  API key     ${platform.apiKey}
  Metrics     GET ${platform.metricsUrl}   (${METRICS_VIEWS.join(", ")}; also /v1/freshness, /v1/anomalies)
  Metrics key ${platform.metricsApiKey}   (read-only; x-api-key)
  Endpoint    ${platform.endpointUrl}   (AWS_ENDPOINT_URL for SDK clients and the AWS CLI)
  Console     ${platform.consoleUrl}
  Traffic     ${rate > 0 ? `${rate} synthetic events/s (FRESHET_TRAFFIC_RATE=0 to turn off)` : "off"}
  Incidents   ${rate > 0 && incidentPlan.incidents.length > 0 ? `${incidentPlan.incidents.map((i) => `${describeIncident(i)} at minute ${i.startMinute} for ${i.minutes} min`).join(", ")}, every ${incidentPlan.cycleMinutes} min (FRESHET_INCIDENTS=none to turn off)` : "none"}
              npm run freshet -- alerts --topic MarketingAlerts   (anomalies and recoveries)
  Workflows   ${platform.workflows.workflows.map((w) => `${w.name} (${w.schedules.map((s) => s.expression).join(", ") || "rules only"})`).join(", ") || "none"}
              npm run freshet -- executions list   |   npm run freshet -- alerts

  curl -X POST ${platform.ingestUrl} -H 'x-api-key: ${platform.apiKey}' \\
       -H 'content-type: application/json' \\
       -d '[{"event_id":"e-1","event_type":"signup","occurred_at":"'$(date -u +%FT%TZ)'","user_id":"u-1","account_id":"a-1"}]'

  curl '${platform.metricsUrl.replace("{view}", "campaign-performance")}?bucket=hour&from='$(date -u -d '-6 hours' +%FT%TZ) -H 'x-api-key: ${platform.metricsApiKey}'

Ctrl-C stops cleanly; state survives a restart.
`);

const sfn = new SFNClient({});
const machines = platform.workflows.workflows.map((w) => ({ name: w.name, arn: w.stateMachineArn }));
let tally: ExecutionTally = { succeeded: 0, failed: 0, running: 0 };
const redshift = new RedshiftDataClient({});
let warehouse: WarehouseStatus | undefined;
// The newest Maintenance and DeadLetterTriage outcomes, as one line each workflow.
const outcomeOf = { Maintenance: describeMaintenance, DeadLetterTriage: describeTriage } as const;
const outcomes = new Map<string, string>();
const tallyTimer = setInterval(() => {
  tallyExecutions(sfn, machines).then((t) => (tally = t), () => undefined);
  for (const { name, arn } of machines) {
    const describe = outcomeOf[name as keyof typeof outcomeOf];
    if (describe) latestFinished(sfn, arn).then((run) => run && outcomes.set(name, describe(run)), () => undefined);
  }
  warehouseStatus(redshift, LOCAL_WAREHOUSE.warehouseWorkgroupName, LOCAL_WAREHOUSE.warehouseDatabase).then((w) => (warehouse = w), () => undefined);
}, 2000);

const timer = setInterval(() => {
  const c = platform.counts();
  const last = tally.latest ? `, last ${tally.latest.workflow} ${tally.latest.status} ${tally.latest.at.toISOString().slice(11, 19)}` : "";
  const line =
    `accepted ${platform.accepted()} | transformer received ${c.received}: processed ${c.processed}, ` +
    `dead-lettered ${c.deadLettered}, filtered ${c.filtered} (${c.batches} batches)` +
    ` | executions ${tally.succeeded} ok, ${tally.failed} failed, ${tally.running} running${last}` +
    (warehouse
      ? ` | warehouse: loaded ${warehouse.loaded}, in flight ${warehouse.inFlight}, audit ${warehouse.balanced ? "balanced" : "OUT OF BALANCE"}` +
        (warehouse.freshnessSeconds === undefined ? "" : `, freshness ${Math.round(warehouse.freshnessSeconds)} s (confidence ${warehouse.confidence})`)
      : "") +
    [...outcomes.values()].map((o) => ` | ${o}`).join("") +
    (history ? ` | ${history}` : "") +
    (traffic?.incidents().length ? ` | incident: ${traffic.incidents().map(describeIncident).join(", ")}` : "") +
    (traffic?.errors() ? ` | traffic errors ${traffic.errors()}` : "");
  if (process.stdout.isTTY) process.stdout.write(`\r\x1b[2K${line}`);
  else console.log(line);
}, process.stdout.isTTY ? 1000 : 5000);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  clearInterval(tallyTimer);
  sfn.destroy();
  redshift.destroy();
  console.log(`\n${signal}: stopping (finishing the batch in flight)…`);
  await traffic?.stop();
  await platform.stop();
  console.log("stopped.");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
