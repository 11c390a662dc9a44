import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { query, type Cell, type Warehouse } from "../src/load/data-api.ts";
import { startEndpoint, type RunningEndpoint } from "../../local/src/endpoint/server.ts";
import { createRedshiftDataService } from "../../local/src/redshift/index.ts";
import { createS3Service, type MissingKeys } from "../../local/src/s3/index.ts";

/** The local S3 and the Redshift Data API on DuckDB behind one embedded endpoint, as the platform runs them. */
export interface WarehouseHarness {
  readonly url: string;
  readonly s3: S3Client;
  readonly redshift: RedshiftDataClient;
  readonly warehouse: Warehouse;
  readonly bucket: string;
  rows(sql: string): Promise<Cell[][]>;
  stop(): Promise<void>;
}

export const COPY_ROLE = "arn:aws:iam::000000000000:role/freshet-local-WarehouseCopy";

/** `missingKeys`: how the S3 answers reads of missing keys (default 404; AWS answers 403 to a caller without s3:ListBucket). */
export async function startWarehouseHarness(bucket = "freshet-local-lake", options: { missingKeys?: MissingKeys } = {}): Promise<WarehouseHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), "freshet-load-"));
  let url = "";
  const redshiftService = createRedshiftDataService({ dataDir, s3: { endpointUrl: () => url } });
  const endpoint: RunningEndpoint = await startEndpoint({ services: [redshiftService, createS3Service({ dataDir, ...(options.missingKeys !== undefined ? { missingKeys: options.missingKeys } : {}) })] });
  url = endpoint.url;
  const config = { endpoint: url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const redshift = new RedshiftDataClient(config);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const warehouse = { workgroup: "freshet-local", database: "freshet" };
  return {
    url,
    s3,
    redshift,
    warehouse,
    bucket,
    rows: (sql) => query(redshift, warehouse, sql, { firstPollMs: 5 }),
    async stop() {
      s3.destroy();
      redshift.destroy();
      await endpoint.close();
      await redshiftService.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
