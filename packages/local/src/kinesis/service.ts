import { join } from "node:path";
import { serveJson, type JsonProtocol } from "../endpoint/json-protocol.ts";
import type { EndpointRequest, EndpointResponse, EndpointService } from "../endpoint/service.ts";
import type { KinesisContext, KinesisFaults } from "./context.ts";
import { KinesisApiError } from "./errors.ts";
import { putRecord, putRecords } from "./put-operations.ts";
import { getRecords, getShardIterator } from "./read-operations.ts";
import {
  createStream,
  deleteStream,
  describeStream,
  describeStreamSummary,
  listShards,
  listStreams,
} from "./stream-operations.ts";
import { StreamStore } from "./stream-store.ts";
import type { JsonObject } from "./validation.ts";

export interface KinesisServiceOptions {
  /** State lives in `<dataDir>/kinesis/` and survives a restart with the same directory. */
  readonly dataDir: string;
  /** Default `us-east-1`. */
  readonly region?: string;
  /** Default `000000000000`. */
  readonly accountId?: string;
  /** Shards of an ON_DEMAND stream; AWS starts them with 4. */
  readonly onDemandShardCount?: number;
  /** Default 24, AWS's default retention. */
  readonly retentionHours?: number;
  /** Open shards allowed in the account (AWS's default quota: 500). */
  readonly shardLimit?: number;
  /** Size at which a shard's log file is rolled (and so the unit retention trims); default 64 MiB. */
  readonly segmentBytes?: number;
  /** The clock, in epoch ms; tests pass one to age records and iterators. */
  readonly now?: () => number;
  readonly faults?: KinesisFaults;
}

/** The Kinesis Data Streams API on the embedded endpoint. `close` flushes the shard logs. */
export interface KinesisService extends EndpointService {
  readonly name: "kinesis";
  /**
   * Runs an operation in process: the same validation, answers, errors (`KinesisApiError`),
   * faults and shut-down refusal as on the wire, without HTTP, signing and JSON. The output has
   * the JSON protocol's shape (`Data` base64, timestamps in epoch seconds). For the platform's
   * own consumers, as AWS's Lambda pollers read a stream from the inside.
   */
  call(operation: string, input: JsonObject): object;
  close(): Promise<void>;
}

const TARGET_PREFIX = "Kinesis_20131202.";

type Operation = (ctx: KinesisContext, input: JsonObject) => object;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateStream: createStream,
  DeleteStream: deleteStream,
  DescribeStream: describeStream,
  DescribeStreamSummary: describeStreamSummary,
  ListStreams: listStreams,
  ListShards: listShards,
  PutRecord: putRecord,
  PutRecords: putRecords,
  GetShardIterator: getShardIterator,
  GetRecords: getRecords,
};

const PROTOCOL: JsonProtocol<KinesisContext> = {
  contentType: "application/x-amz-json-1.1",
  operations: OPERATIONS,
  unknownOperation: (name) => `Unknown operation ${name}`,
  unavailable: { type: "ServiceUnavailable", message: "The Kinesis service is shut down" },
};

function targetOf(req: EndpointRequest): string {
  const target = req.headers["x-amz-target"];
  return Array.isArray(target) ? (target[0] ?? "") : (target ?? "");
}

/**
 * Creates the embedded Kinesis service (AWS JSON 1.1, `X-Amz-Target: Kinesis_20131202.<Op>`),
 * loading whatever streams `<dataDir>/kinesis/` already holds. Register it with `startEndpoint`.
 */
export function createKinesisService(options: KinesisServiceOptions): KinesisService {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const store = StreamStore.open({
    root: join(options.dataDir, "kinesis"),
    region,
    accountId,
    retentionHours: options.retentionHours ?? 24,
    segmentBytes: options.segmentBytes,
  });
  const ctx: KinesisContext = {
    store,
    region,
    accountId,
    onDemandShardCount: options.onDemandShardCount ?? 4,
    shardLimit: options.shardLimit ?? 500,
    now: options.now ?? Date.now,
    faults: options.faults ?? {},
  };
  let closed = false;

  return {
    name: "kinesis",
    matches: (req) => targetOf(req).startsWith(TARGET_PREFIX),
    handle(req: EndpointRequest): Promise<EndpointResponse> {
      return serveJson(PROTOCOL, ctx, targetOf(req).slice(TARGET_PREFIX.length), req, closed);
    },
    call(operation, input) {
      const run = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
      if (!run) throw new KinesisApiError("UnknownOperationException", PROTOCOL.unknownOperation(operation));
      if (closed) throw new KinesisApiError(PROTOCOL.unavailable.type, PROTOCOL.unavailable.message, { status: 503 });
      return run(ctx, input);
    },
    async close() {
      if (closed) return;
      closed = true;
      store.close();
    },
  };
}
