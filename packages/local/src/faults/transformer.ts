import type { KinesisStreamEvent } from "aws-lambda";
import type { TransformerHandler } from "../platform/handlers.ts";
import { BatchUploads } from "./batch-uploads.ts";
import { InvocationDiedError } from "./errors.ts";
import type { LakeFaults } from "./lake.ts";

export interface MidBatchDeathOptions {
  /** Objects the invocation gets to store before it dies. */
  readonly afterObjects: number;
  /** Which invocation dies (default: the first); only one does. */
  readonly when?: (event: KinesisStreamEvent) => boolean;
  /** "throw": the handler throws; "kill": its worker is killed (Lambda's `Runtime.ExitError`). */
  readonly how: "throw" | "kill";
}

/** What a death left: the records of the invocation and the keys it stored. */
export interface Death {
  readonly records: number;
  readonly batchId: string;
  readonly stored: readonly string[];
}

/**
 * A transformer invocation that dies part-way through writing its batch: its first
 * `afterObjects` objects land, the uploads it has in flight or starts afterwards never finish (a
 * dead invocation writes nothing more; its receipt, written last, never lands), and the
 * invocation fails. Its uploads are told from other shards' by the batch id every lake key of
 * the transformer carries (`<shardId>-<first sequence>-<last sequence>`). Give `wrap` to
 * `wrapTransformer` and `lake` to the platform's lake faults.
 */
export class MidBatchDeath {
  readonly #options: MidBatchDeathOptions;
  #dying: { readonly uploads: BatchUploads; readonly die: () => void } | undefined;
  #done = false;
  readonly #died = Promise.withResolvers<Death>();

  constructor(options: MidBatchDeathOptions) {
    this.#options = options;
  }

  /** Resolves once the invocation died. */
  get died(): Promise<Death> {
    return this.#died.promise;
  }

  readonly wrap = (handler: TransformerHandler): TransformerHandler => async (event, context) => {
    if (this.#done || this.#dying || !(this.#options.when?.(event) ?? true)) return handler(event, context);
    const death = Promise.withResolvers<never>();
    const dying = new BatchUploads(event, this.#options.afterObjects);
    this.#dying = { uploads: dying, die: () => death.reject(this.#fail(dying)) };
    // On death the handler's own promise is left behind: its remaining uploads never finish.
    const response = await Promise.race([handler(event, context), death.promise]);
    // A batch with fewer objects than `afterObjects` was written whole: a later one dies instead.
    this.#dying = undefined;
    return response;
  };

  readonly lake: LakeFaults = {
    putObject: (key) => this.#dying?.uploads.putObject(key),
    objectStored: (key) => {
      if (this.#dying?.uploads.objectStored(key)) this.#dying.die();
    },
  };

  #fail(dying: BatchUploads): InvocationDiedError {
    this.#done = true;
    this.#dying = undefined;
    this.#died.resolve({ records: dying.records, batchId: dying.batchId, stored: [...dying.stored] });
    const how = this.#options.how === "kill" ? "Runtime.ExitError: the worker was killed" : "the handler threw";
    return new InvocationDiedError(`${how} after storing ${dying.stored.length} objects of batch ${dying.batchId} (injected fault)`);
  }
}
