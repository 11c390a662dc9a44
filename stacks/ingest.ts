import { heapNodeOptions, LAKE_PREFIXES, TRANSFORMER_EVENT_SOURCE, transformerHeap } from "@freshet/core";
import type { StageConfig } from "./config.ts";
import { createFunction, powertoolsEnvironment } from "./lambda.ts";
import { bucketWriter, queueSender, streamConsumer, streamProducer } from "./permissions.ts";

export interface IngestInput {
  readonly config: StageConfig;
  readonly lake: sst.aws.Bucket;
}

export interface Ingest {
  readonly api: sst.aws.ApiGatewayV2;
  readonly stream: sst.aws.KinesisStream;
  readonly apiKey: sst.Secret;
  readonly ingest: sst.aws.Function;
  readonly transformer: sst.aws.Function;
  readonly failures: sst.aws.Queue;
  /** The full URL clients POST events to. */
  readonly url: $util.Output<string>;
}

/** The prefixes the transformer writes; it never reads, lists or deletes. */
const TRANSFORMER_WRITES = [LAKE_PREFIXES.raw, LAKE_PREFIXES.processed, LAKE_PREFIXES.dlq, LAKE_PREFIXES.receipts];

/** POST /v1/events → ingest → stream `Events` → transformer → lake. */
export function createIngest({ config, lake }: IngestInput): Ingest {
  const { ingest: ic, transformer: tc, stream: sc } = config;

  const stream = new sst.aws.KinesisStream("Events", {
    transform: {
      stream: (args) => {
        args.retentionPeriod = sc.retentionHours;
        // Records at rest encrypted with the AWS managed key, which needs no IAM grant on either side.
        args.encryptionType = "KMS";
        args.kmsKeyId = "alias/aws/kinesis";
      },
    },
  });
  const apiKey = new sst.Secret("IngestApiKey");

  const ingest = createFunction("Ingest", {
    handler: "packages/functions/src/ingest.handler",
    description: "Freshet ingest: validates requests and puts events on the stream",
    memory: `${ic.memoryMb} MB`,
    timeout: `${ic.timeoutSeconds} seconds`,
    link: [stream, apiKey],
    permissions: [streamProducer(stream.arn)],
    environment: {
      ...powertoolsEnvironment("ingest"),
      ...(ic.maxBodyBytes === undefined ? {} : { FRESHET_MAX_BODY_BYTES: String(ic.maxBodyBytes) }),
      ...(ic.maxEventBytes === undefined ? {} : { FRESHET_MAX_EVENT_BYTES: String(ic.maxEventBytes) }),
    },
  });

  const api = new sst.aws.ApiGatewayV2("Api");
  api.route("POST /v1/events", ingest.arn);

  // Where the event source mapping reports a batch it gave up on (after bounded retries or age).
  const failures = new sst.aws.Queue("TransformerFailures", {
    transform: {
      queue: (args) => {
        args.messageRetentionSeconds = 14 * 24 * 3600; // SQS maximum: time for a human to look
      },
    },
  });

  const transformer = createFunction("Transformer", {
    handler: "packages/functions/src/transformer.handler",
    description: "Freshet transformer: validates, enriches and writes stream batches to the lake",
    memory: `${tc.memoryMb} MB`,
    timeout: `${tc.timeoutSeconds} seconds`,
    link: [lake],
    permissions: [
      bucketWriter(lake.arn, TRANSFORMER_WRITES),
      streamConsumer(stream.arn),
      queueSender(failures.arn),
    ],
    environment: {
      ...powertoolsEnvironment("transformer"),
      FRESHET_MAX_EVENT_AGE_DAYS: String(tc.maxEventAgeDays),
      FRESHET_FILTERED_EVENT_TYPES: tc.filteredEventTypes.join(","),
      // The heap the bench measures (see transformerHeap): Lambda's bootstrap keeps flags set here.
      NODE_OPTIONS: heapNodeOptions(transformerHeap(tc.memoryMb)),
    },
  });

  // Subscribed by ARN, the transformer stays its own `Transformer` component (a stable name for
  // links and alarms); SST then adds no read grants for the mapping, hence streamConsumer() above.
  stream.subscribe("Transformer", transformer.arn, {
    transform: {
      eventSourceMapping: (args) => {
        // From the oldest retained record (TRIM_HORIZON): nothing the ingest accepted is skipped
        // when the mapping is first created; the lake's keys and the warehouse's dedupe absorb replays.
        args.startingPosition = TRANSFORMER_EVENT_SOURCE.startingPosition;
        args.batchSize = tc.batchSize;
        args.maximumBatchingWindowInSeconds = tc.batchingWindowSeconds;
        args.parallelizationFactor = tc.parallelizationFactor;
        // A failing batch is split until the bad record is isolated; the handler reports
        // per-record failures so good records are not retried.
        args.bisectBatchOnFunctionError = TRANSFORMER_EVENT_SOURCE.bisectBatchOnFunctionError;
        args.functionResponseTypes = [...TRANSFORMER_EVENT_SOURCE.functionResponseTypes];
        args.maximumRetryAttempts = tc.maxRetryAttempts;
        args.maximumRecordAgeInSeconds = tc.maxRecordAgeSeconds;
        args.destinationConfig = { onFailure: { destinationArn: failures.arn } };
      },
    },
  });

  return { api, stream, apiKey, ingest, transformer, failures, url: $interpolate`${api.url}/v1/events` };
}
