import { startPlatform } from "../platform/start-platform.ts";
import { startTraffic } from "../traffic/generator.ts";

/**
 * `npm start`: Freshet's streaming pipeline on this machine, with synthetic traffic.
 * FRESHET_PORT (default 3000: ingest API; the AWS endpoint uses the next port),
 * FRESHET_DATA_DIR (default .freshet), FRESHET_TRAFFIC_RATE (events/s, default 200, 0 = none).
 */
const dataDir = process.env.FRESHET_DATA_DIR ?? ".freshet";
const port = Number(process.env.FRESHET_PORT ?? 3000);
const rate = Number(process.env.FRESHET_TRAFFIC_RATE ?? 200);

const platform = await startPlatform({ dataDir, port, batchingWindowSeconds: 1 });
const traffic = rate > 0 ? startTraffic(platform.ingestUrl, platform.apiKey, rate) : undefined;

console.log(`
Freshet is running locally (data in ${platform.dataDir})

  Ingest      POST ${platform.ingestUrl}
  API key     ${platform.apiKey}
  Endpoint    ${platform.endpointUrl}   (AWS_ENDPOINT_URL for SDK clients and the AWS CLI)
  Traffic     ${rate > 0 ? `${rate} synthetic events/s (FRESHET_TRAFFIC_RATE=0 to turn off)` : "off"}

  curl -X POST ${platform.ingestUrl} -H 'x-api-key: ${platform.apiKey}' \\
       -H 'content-type: application/json' \\
       -d '[{"event_id":"e-1","event_type":"signup","occurred_at":"'$(date -u +%FT%TZ)'","user_id":"u-1","account_id":"a-1"}]'

Ctrl-C stops cleanly; state survives a restart.
`);

const timer = setInterval(() => {
  const c = platform.counts();
  const line =
    `accepted ${platform.accepted()} | transformer received ${c.received}: processed ${c.processed}, ` +
    `dead-lettered ${c.deadLettered}, filtered ${c.filtered} (${c.batches} batches)` +
    (traffic?.errors() ? ` | traffic errors ${traffic.errors()}` : "");
  if (process.stdout.isTTY) process.stdout.write(`\r\x1b[2K${line}`);
  else console.log(line);
}, process.stdout.isTTY ? 1000 : 5000);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  console.log(`\n${signal}: stopping (finishing the batch in flight)…`);
  await traffic?.stop();
  await platform.stop();
  console.log("stopped.");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
