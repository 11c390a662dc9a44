import { batchIdOf } from "@freshet/core";
import type { KinesisStreamEvent } from "aws-lambda";

/** The batch id (core's `batchIdOf`) every lake key of the transformer carries for this event. */
function batchIdOfEvent(event: KinesisStreamEvent): string {
  const first = event.Records[0]!;
  return batchIdOf({
    shardId: first.eventID.slice(0, first.eventID.lastIndexOf(":")),
    firstSequenceNumber: first.kinesis.sequenceNumber,
    lastSequenceNumber: event.Records.at(-1)!.kinesis.sequenceNumber,
  });
}

/**
 * One invocation's uploads, told from other batches' by the batch id in their keys: the first
 * `afterObjects` go through, every later one waits for ever (a stuck or dead invocation writes
 * nothing more; its receipt, written last, never lands). For the lake faults' two hooks.
 */
export class BatchUploads {
  readonly batchId: string;
  readonly records: number;
  readonly stored: string[] = [];
  /** Uploads held for ever. */
  held = 0;
  readonly #afterObjects: number;
  #started = 0;

  constructor(event: KinesisStreamEvent, afterObjects: number) {
    this.batchId = batchIdOfEvent(event);
    this.records = event.Records.length;
    this.#afterObjects = afterObjects;
  }

  /** The lake's `putObject` hook: undefined lets the upload through. */
  putObject(key: string): Promise<void> | undefined {
    if (!key.includes(this.batchId)) return undefined;
    if (this.#started >= this.#afterObjects) {
      this.held += 1;
      return new Promise<void>(() => {});
    }
    this.#started += 1;
    return undefined;
  }

  /** The lake's `objectStored` hook: true once this key made the batch's `afterObjects` stored. */
  objectStored(key: string): boolean {
    if (!key.includes(this.batchId)) return false;
    this.stored.push(key);
    return this.stored.length === this.#afterObjects;
  }
}
