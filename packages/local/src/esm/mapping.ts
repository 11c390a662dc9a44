import { CheckpointStore } from "./checkpoints.ts";
import { CheckpointFileError, EventSourceMappingError, MappingNotIdleError } from "./errors.ts";
import { resolveOptions } from "./options.ts";
import { sdkStreamApi } from "./sdk-stream-api.ts";
import { ShardPoller } from "./shard-poller.ts";
import { ShardReader } from "./shard-reader.ts";
import { backoffMs, Sleeper } from "./sleeper.ts";
import type { StreamApi, StreamIdentity } from "./stream-api.ts";
import type { EventSourceMappingCounters, EventSourceMappingOptions } from "./types.ts";

export interface EventSourceMapping {
  readonly functionName: string;
  readonly streamName: string;
  /** A snapshot of what the mapping has done so far. */
  readonly counters: EventSourceMappingCounters;
  /**
   * Resolves once every shard has been read, after this call, up to the stream's end and no batch
   * is in flight or pending a retry. Rejects with `MappingNotIdleError` if the mapping stops first
   * or `timeoutMs` passes.
   */
  waitForIdle(options?: { timeoutMs?: number }): Promise<void>;
  /** Lets the in-flight invocation of each shard finish, persists checkpoints, stops polling. */
  stop(): Promise<void>;
}

function emptyCounters(): EventSourceMappingCounters {
  return {
    batchesInvoked: 0,
    recordsDelivered: 0,
    recordsSucceeded: 0,
    retries: 0,
    bisections: 0,
    functionErrors: 0,
    partialFailures: 0,
    recordsSentToOnFailure: 0,
    onFailureRecords: 0,
    pollErrors: 0,
  };
}

/**
 * Starts feeding the stream's records to `handler` in-process, as a Lambda event source mapping
 * for Kinesis does (see `processBatch` for the error handling). Returns at once; the stream is
 * looked up and its shards listed in the background, retried until they answer or `stop`.
 * Throws `MappingConfigError` for settings AWS would reject.
 */
export function startEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  const resolved = resolveOptions(options);
  const stream: StreamApi = options.stream ?? sdkStreamApi(options.kinesis!);
  const counters = emptyCounters();
  const sleeper = new Sleeper();
  const pollers: ShardPoller[] = [];
  let stopping = false;
  const isStopping = () => stopping;

  const started = (async () => {
    let identity: StreamIdentity | undefined;
    let shardIds: string[] = [];
    for (let attempt = 1; !stopping; attempt++) {
      try {
        identity = await stream.describeStream(resolved.streamName);
        shardIds = await stream.listShardIds(identity.arn);
        break;
      } catch (error) {
        counters.pollErrors += 1;
        resolved.logger({ level: "warn", message: `Cannot read stream ${resolved.streamName} yet; retrying`, error });
        await sleeper.sleep(backoffMs(attempt, resolved.pollIntervalMs, resolved.pollIntervalMs * 8));
      }
    }
    if (!identity) return;
    const checkpoints = await CheckpointStore.load(resolved.checkpointFile, identity.arn, resolved.functionName);
    const fn = {
      name: resolved.functionName,
      arn: `arn:aws:lambda:${identity.region}:${identity.accountId}:function:${resolved.functionName}`,
      memoryMb: resolved.memoryMb,
      timeoutMs: resolved.functionTimeoutMs,
    };
    const invokeIdentityArn = resolved.invokeIdentityArn ?? `arn:aws:iam::${identity.accountId}:role/${resolved.functionName}-role`;
    for (const shardId of shardIds) {
      const reader = new ShardReader({
        stream,
        streamArn: identity.arn,
        shardId,
        checkpoint: checkpoints.get(shardId),
        startingPosition: resolved.startingPosition,
        startingPositionTimestamp: resolved.startingPositionTimestamp,
        logger: resolved.logger,
      });
      const poller = new ShardPoller(shardId, reader, {
        options: resolved,
        fn,
        source: { shardId, streamArn: identity.arn, region: identity.region, invokeIdentityArn },
        counters,
        checkpoints,
        onFailure: options.onFailure,
        isStopping,
      });
      pollers.push(poller);
      if (!stopping) poller.start();
    }
  })();
  // Surfaced through waitForIdle; logged here so that a mapping nobody waits on still says why.
  started.catch((error: unknown) => {
    const fatal = error instanceof CheckpointFileError ? error : new EventSourceMappingError("The mapping failed to start", { cause: error });
    resolved.logger({ level: "error", message: fatal.message, error });
  });

  return {
    functionName: resolved.functionName,
    streamName: resolved.streamName,
    get counters() {
      return { ...counters };
    },
    async waitForIdle(waitOptions = {}) {
      const idle = (async () => {
        await started;
        if (stopping) throw new MappingNotIdleError("The mapping is stopped");
        await Promise.all(pollers.map((poller) => poller.whenIdle()));
      })();
      if (waitOptions.timeoutMs === undefined) return idle;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new MappingNotIdleError(`Not idle after ${waitOptions.timeoutMs} ms`)), waitOptions.timeoutMs);
      });
      try {
        return await Promise.race([idle, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async stop() {
      stopping = true;
      sleeper.wake();
      for (const poller of pollers) poller.wake();
      await started.catch(() => undefined);
      for (const poller of pollers) poller.wake();
      await Promise.all(pollers.map((poller) => poller.finished()));
    },
  };
}
