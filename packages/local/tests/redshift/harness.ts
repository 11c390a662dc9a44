import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  type DescribeStatementCommandOutput,
  type Field,
} from "@aws-sdk/client-redshift-data";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import { createRedshiftDataService, type RedshiftDataServiceOptions } from "../../src/redshift/index.ts";
import { createS3Service } from "../../src/s3/index.ts";

export const credentials = { accessKeyId: "test", secretAccessKey: "test" };
export const WORKGROUP = { WorkgroupName: "freshet", Database: "dev" } as const;

export interface RedshiftHarness {
  readonly dataDir: string;
  readonly endpoint: RunningEndpoint;
  readonly client: RedshiftDataClient;
  readonly s3: S3Client;
  /** Runs one statement to the end; throws with the statement's Error if it did not finish. */
  sql(sql: string, parameters?: Record<string, string>): Promise<DescribeStatementCommandOutput>;
  /** Runs a query and returns its rows as plain values. */
  rows(sql: string, parameters?: Record<string, string>): Promise<unknown[][]>;
  waitFor(id: string): Promise<DescribeStatementCommandOutput>;
  putObject(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

/** `inPlace`: COPY reads the embedded S3's files directly, as the local platform wires it. */
export async function startRedshift(options: Partial<RedshiftDataServiceOptions> & { inPlace?: boolean } = {}): Promise<RedshiftHarness> {
  const { inPlace, ...serviceOptions } = options;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "freshet-redshift-"));
  let url = "";
  const s3Service = createS3Service({ dataDir });
  const redshift = createRedshiftDataService({
    s3: { endpointUrl: () => url },
    ...(inPlace ? { objectFile: (bucket: string, key: string) => s3Service.objectFile(bucket, key) } : {}),
    ...serviceOptions,
    dataDir,
  });
  const endpoint = await startEndpoint({ services: [redshift, s3Service] });
  url = endpoint.url;
  const client = new RedshiftDataClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
  const s3 = new S3Client({ endpoint: url, region: "us-east-1", credentials, forcePathStyle: true });
  const buckets = new Set<string>();
  let stopped = false;
  const harness: RedshiftHarness = {
    dataDir,
    endpoint,
    client,
    s3,
    async waitFor(id) {
      for (;;) {
        const out = await client.send(new DescribeStatementCommand({ Id: id }));
        if (out.Status === "FINISHED" || out.Status === "FAILED" || out.Status === "ABORTED") return out;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async sql(sql, parameters) {
      const { Id } = await client.send(
        new ExecuteStatementCommand({ ...WORKGROUP, Sql: sql, ...(parameters ? { Parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })) } : {}) }),
      );
      const out = await harness.waitFor(Id!);
      if (out.Status !== "FINISHED") throw new Error(`${out.Status}: ${out.Error}`);
      return out;
    },
    async rows(sql, parameters) {
      const out = await harness.sql(sql, parameters);
      const rows: unknown[][] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new GetStatementResultCommand({ Id: out.Id!, NextToken: token }));
        for (const record of page.Records ?? []) rows.push(record.map(plain));
        token = page.NextToken;
      } while (token);
      return rows;
    },
    async putObject(bucket, key, body) {
      if (!buckets.has(bucket)) {
        await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
        buckets.add(bucket);
      }
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      client.destroy();
      s3.destroy();
      await endpoint.close();
      await redshift.close();
    },
    async dispose() {
      await harness.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A Field as a plain value (null for isNull). */
export function plain(field: Field): unknown {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return field.blobValue;
  return undefined;
}

export async function serviceError(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error("expected the call to fail");
}
