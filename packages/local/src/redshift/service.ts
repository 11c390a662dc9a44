import { S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { join } from "node:path";
import { serveJson, type JsonProtocol } from "../endpoint/json-protocol.ts";
import type { EndpointRequest, EndpointResponse, EndpointService } from "../endpoint/service.ts";
import { amzTarget } from "../endpoint/signing.ts";
import { DatabaseEngine } from "./engine/databases.ts";
import type { StatementFaults } from "./statements/faults.ts";
import { ResultStore } from "./statements/result-store.ts";
import {
  batchExecuteStatement,
  cancelStatement,
  describeStatement,
  executeStatement,
  getStatementResult,
  listStatements,
  type JsonObject,
  type OperationContext,
} from "./operations.ts";
import { StatementRecords } from "./statements/records.ts";
import { StatementRunner } from "./statements/runner.ts";

export interface RedshiftDataServiceOptions {
  /** Databases in `<dataDir>/redshift/<database>.duckdb`, statement records beside them. */
  readonly dataDir: string;
  /** How COPY reads the lake: through the endpoint's S3 API at this URL, or with this client. */
  readonly s3: { readonly endpointUrl: () => string } | (() => S3Client);
  /**
   * When the lake is the embedded S3 in this process: the file of an object (undefined if none),
   * so COPY reads the files in place instead of downloading each through the S3 API. Missing
   * objects still fail a COPY as Redshift fails it.
   */
  readonly objectFile?: (bucket: string, key: string) => Promise<string | undefined>;
  readonly region?: string;
  readonly accountId?: string;
  /** Statements running at once before ActiveStatementsExceededException (Redshift's quota: 500). */
  readonly maxActiveStatements?: number;
  /** Records per GetStatementResult page (default 1000). */
  readonly pageRows?: number;
  /** Test-only: faults injected into statement runs (see StatementFaults). */
  readonly faults?: StatementFaults;
}

/** The Redshift Data API on the embedded endpoint. `close` stops running statements and saves records. */
export interface RedshiftDataService extends EndpointService {
  readonly name: "redshift-data";
  close(): Promise<void>;
}

const PREFIX = "RedshiftData";

type Operation = (ctx: OperationContext, input: JsonObject) => object;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  ExecuteStatement: executeStatement,
  BatchExecuteStatement: batchExecuteStatement,
  DescribeStatement: describeStatement,
  GetStatementResult: getStatementResult,
  CancelStatement: cancelStatement,
  ListStatements: listStatements,
};

const PROTOCOL: JsonProtocol<OperationContext> = {
  contentType: "application/x-amz-json-1.1",
  operations: OPERATIONS,
  unknownOperation: (name) => `Operation ${name} is not supported by the local Redshift Data API`,
  unavailable: { type: "ServiceUnavailableException", message: "The Redshift Data API is shut down" },
};

/**
 * Creates the Redshift Data API (AWS JSON 1.1, `X-Amz-Target: RedshiftData.<Op>`) backed by
 * DuckDB, for unchanged `@aws-sdk/client-redshift-data` clients. Register it with `startEndpoint`
 * before the S3 service (S3 is the endpoint's fallback route).
 */
export function createRedshiftDataService(options: RedshiftDataServiceOptions): RedshiftDataService {
  const root = join(options.dataDir, "redshift");
  const engine = new DatabaseEngine(root);
  const records = new StatementRecords(root);
  const results = new ResultStore(root);
  // A statement the records let go of has no result to read either (and its files free the disk).
  records.onForget = (record) => {
    results.delete(record.id);
    for (const sub of record.subStatements ?? []) results.delete(sub.id);
  };
  let s3Client: S3Client | undefined;
  const source = options.s3;
  const s3 = (): S3Client => {
    if (typeof source === "function") return source();
    s3Client ??= new S3Client({
      endpoint: source.endpointUrl(),
      region: options.region ?? "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      forcePathStyle: true,
      requestHandler: new NodeHttpHandler(),
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    return s3Client;
  };
  const runner = new StatementRunner({
    engine,
    records,
    s3,
    results,
    ...(options.objectFile ? { objectFile: options.objectFile } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const ctx: OperationContext = {
    records,
    runner,
    results,
    maxActiveStatements: options.maxActiveStatements ?? 500,
    pageRows: options.pageRows ?? 1000,
  };
  let closed = false;

  return {
    name: "redshift-data",
    matches: (req) => amzTarget(req)?.prefix === PREFIX,
    handle(req: EndpointRequest): Promise<EndpointResponse> {
      return serveJson(PROTOCOL, ctx, amzTarget(req)?.operation ?? "", req, closed);
    },
    async close() {
      if (closed) return;
      closed = true;
      // Mark what is running as stopped before interrupting it, so the record says why.
      records.markStopped();
      await runner.close();
      await results.flush();
      await records.flush();
      records.closeSync();
      await engine.close();
      s3Client?.destroy();
    },
  };
}
