import { invalidArgument, resourceNotFound } from "./errors.ts";
import type { KinesisStream, StreamStore } from "./stream-store.ts";
import { optionalString, Violations, type JsonObject } from "./validation.ts";

/** Fault injection for tests: a hook returning true makes that call fail as AWS would under load. */
export interface KinesisFaults {
  /**
   * Called for every PutRecords entry (and PutRecord, with index 0). True fails that entry with
   * `ProvisionedThroughputExceededException` (PutRecords reports it in the entry and in
   * `FailedRecordCount`; PutRecord answers with the exception).
   */
  readonly putRecord?: (streamName: string, partitionKey: string, index: number) => boolean;
  /** True makes that GetRecords call fail with `ProvisionedThroughputExceededException`. */
  readonly getRecords?: (streamName: string, shardId: string) => boolean;
}

/** What every operation needs: the streams, the account they live in, the clock, the faults. */
export interface KinesisContext {
  readonly store: StreamStore;
  readonly region: string;
  readonly accountId: string;
  readonly onDemandShardCount: number;
  /** Open shards allowed per account and region (AWS's default quota is 500 in most regions). */
  readonly shardLimit: number;
  readonly now: () => number;
  readonly faults: KinesisFaults;
}

const STREAM_ARN = /^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/([a-zA-Z0-9_.-]+)$/;

export function streamNotFound(ctx: KinesisContext, name: string): Error {
  return resourceNotFound(`Stream ${name} under account ${ctx.accountId} not found.`);
}

/**
 * The stream a request names through `StreamName` or `StreamARN` (both, if given, must agree).
 * An ARN of another account or region names a stream this endpoint does not have.
 */
export function streamNameOf(ctx: KinesisContext, input: JsonObject): string {
  const name = optionalString(input, "StreamName");
  const arn = optionalString(input, "StreamARN");
  const violations = new Violations();
  violations.streamName(name);
  if (arn !== undefined) {
    violations.check(arn.length >= 1 && arn.length <= 2048, "streamARN", "have length between 1 and 2048", arn);
    violations.check(STREAM_ARN.test(arn), "streamARN", "satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+", arn);
  }
  violations.throwIfAny();
  if (arn === undefined) {
    if (name === undefined) throw invalidArgument("Either StreamName or StreamARN must be provided.");
    return name;
  }
  const [, region, account, arnName] = STREAM_ARN.exec(arn)!;
  if (name !== undefined && name !== arnName) {
    throw invalidArgument(`StreamName ${name} does not match the stream named by StreamARN ${arn}.`);
  }
  if (region !== ctx.region || account !== ctx.accountId) {
    throw resourceNotFound(`Stream ${arnName} under account ${account} not found.`);
  }
  return arnName!;
}

export function resolveStream(ctx: KinesisContext, input: JsonObject): KinesisStream {
  const name = streamNameOf(ctx, input);
  const stream = ctx.store.get(name);
  if (!stream) throw streamNotFound(ctx, name);
  return stream;
}
