import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPlatform, type Platform } from "@freshet/local";
import { query, type Cell } from "../../packages/functions/src/load/data-api.ts";

export const WAREHOUSE = { workgroup: "freshet-local", database: "freshet" } as const;

export type Rows = (sql: string) => Promise<Cell[][]>;

/** The platform a measurement runs on, the Data API client it reads the warehouse with, and how to end both. */
export interface PipelinePlatform {
  readonly platform: Platform;
  readonly redshift: RedshiftDataClient;
  /** One SELECT through the Data API, polled tightly (the measurements' resolution). */
  readonly rows: Rows;
  close(): Promise<void>;
}

/**
 * The whole local pipeline in a fresh data directory, with Load every second (Scheduler's floor
 * is a minute; a measurement of POST → row wants the pipeline's own speed, not the schedule's).
 */
export async function startPipelinePlatform(prefix: string): Promise<PipelinePlatform> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  let platform: Platform | undefined;
  try {
    platform = await startPlatform({
      dataDir,
      batchingWindowSeconds: 0,
      scheduleOverride: (s) => (s.workflow === "Load" ? "rate(1 second)" : s.expression),
      // FRESHET_BENCH_MAPPING_READS=wire measures the mapping reading over HTTP, as before it read in process.
      mappingReads: process.env.FRESHET_BENCH_MAPPING_READS === "wire" ? "wire" : "in-process",
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const started = platform;
  const redshift = new RedshiftDataClient({
    endpoint: started.endpointUrl,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  return {
    platform: started,
    redshift,
    rows: (sql) => query(redshift, WAREHOUSE, sql, { firstPollMs: 5 }),
    async close() {
      redshift.destroy();
      await started.stop();
      // A delivery retrying past the stop may still write to the lake: retry ENOTEMPTY a few times.
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    },
  };
}

/** Which of `ids` (generated event ids: no quotes in them) are rows of `events` now. */
export async function loadedAmong(rows: Rows, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const found = await rows(`SELECT event_id FROM events WHERE event_id IN (${ids.map((id) => `'${id}'`).join(", ")})`);
  return found.map(([id]) => String(id));
}
