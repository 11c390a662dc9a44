import type { KinesisStreamEvent } from "aws-lambda";
import type { TransformerHandler } from "../platform/handlers.ts";
import { BatchUploads } from "./batch-uploads.ts";
import type { LakeFaults } from "./lake.ts";

export interface MidBatchHangOptions {
  /** Objects the invocation gets to store before its uploads stop finishing. */
  readonly afterObjects: number;
  /** Which invocation hangs (default: the first with more records than `afterObjects`); only one does. */
  readonly when?: (event: KinesisStreamEvent) => boolean;
}

/** Where the invocation hangs: its batch and what it stored before. */
export interface Hang {
  readonly batchId: string;
  readonly records: number;
  readonly firstSequence: string;
  readonly stored: readonly string[];
  /** Its uploads held for ever when it hung (at least one: its receipt can never land). */
  readonly held: number;
}

/**
 * A transformer invocation that stops making progress part-way through writing its batch: its
 * first `afterObjects` objects land, every later upload of the batch waits for ever, and the
 * handler never returns. What ends it is the caller: the mapping's function timeout (Lambda
 * shuts the sandbox down; the late handler is abandoned, its uploads never land), or the
 * platform's process being killed. Give `wrap` to `wrapTransformer` and `lake` to the lake faults.
 */
export class MidBatchHang {
  readonly #options: MidBatchHangOptions;
  #hanging: { readonly uploads: BatchUploads; readonly firstSequence: string } | undefined;
  #done = false;
  readonly #hung = Promise.withResolvers<Hang>();
  /** Invocations the wrapper saw, by their first and last sequence numbers (retries included). */
  readonly invocations: { first: string; last: string; records: number }[] = [];

  constructor(options: MidBatchHangOptions) {
    this.#options = options;
  }

  /** Resolves once the invocation hangs (its `afterObjects` objects stored). */
  get hung(): Promise<Hang> {
    return this.#hung.promise;
  }

  readonly wrap = (handler: TransformerHandler): TransformerHandler => async (event, context) => {
    const first = event.Records[0]!;
    const last = event.Records.at(-1)!;
    this.invocations.push({ first: first.kinesis.sequenceNumber, last: last.kinesis.sequenceNumber, records: event.Records.length });
    const chosen = this.#options.when?.(event) ?? event.Records.length > this.#options.afterObjects;
    if (this.#done || this.#hanging || !chosen) return handler(event, context);
    this.#hanging = { uploads: new BatchUploads(event, this.#options.afterObjects), firstSequence: first.kinesis.sequenceNumber };
    return handler(event, context);
  };

  readonly lake: LakeFaults = {
    putObject: (key) => this.#hanging?.uploads.putObject(key),
    objectStored: (key) => {
      const hanging = this.#hanging;
      if (!hanging?.uploads.objectStored(key)) return;
      // The uploads already held stay held for ever; a retry of the batch (same keys) runs freely.
      this.#done = true;
      this.#hanging = undefined;
      const { batchId, records, held, stored } = hanging.uploads;
      this.#hung.resolve({ batchId, records, firstSequence: hanging.firstSequence, held, stored: [...stored] });
    },
  };
}
