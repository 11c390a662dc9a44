import type { KinesisStreamEvent } from "aws-lambda";
import type { TransformerHandler } from "../platform/handlers.ts";
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

/**
 * A transformer invocation that dies part-way through writing its batch: its first
 * `afterObjects` objects land, the uploads it has in flight or starts afterwards never finish (a
 * dead invocation writes nothing more; its receipt, written last, never lands), and the
 * invocation fails. One shard and one batch in flight: while it dies, every upload is its own.
 * Give `wrap` to `wrapTransformer` and `lake` to the platform's lake faults.
 */
export class MidBatchDeath {
  readonly #options: MidBatchDeathOptions;
  #state: "armed" | "dying" | "dead" = "armed";
  #started = 0;
  #stored: string[] = [];
  #die!: () => void;
  readonly #died = Promise.withResolvers<{ readonly records: number; readonly stored: readonly string[] }>();

  constructor(options: MidBatchDeathOptions) {
    this.#options = options;
  }

  /** Resolves once the invocation died: its records and the keys it stored. */
  get died(): Promise<{ readonly records: number; readonly stored: readonly string[] }> {
    return this.#died.promise;
  }

  readonly wrap = (handler: TransformerHandler): TransformerHandler => async (event, context) => {
    if (this.#state !== "armed" || !(this.#options.when?.(event) ?? true)) return handler(event, context);
    this.#state = "dying";
    const death = new Promise<never>((_, reject) => {
      this.#die = () => {
        this.#state = "dead";
        this.#died.resolve({ records: event.Records.length, stored: [...this.#stored] });
        const how = this.#options.how === "kill" ? "Runtime.ExitError: the worker was killed" : "the handler threw";
        reject(new InvocationDiedError(`${how} after storing ${this.#stored.length} objects (injected fault)`));
      };
    });
    // On death the handler's own promise is left behind: its remaining uploads never finish.
    const response = await Promise.race([handler(event, context), death]);
    // A batch with fewer objects than `afterObjects` is written whole: the next one dies instead.
    this.#state = "armed";
    this.#started = 0;
    this.#stored = [];
    return response;
  };

  readonly lake: LakeFaults = {
    putObject: () => {
      if (this.#state !== "dying") return undefined;
      if (this.#started >= this.#options.afterObjects) return new Promise<void>(() => {});
      this.#started += 1;
      return undefined;
    },
    objectStored: (key) => {
      if (this.#state !== "dying") return;
      this.#stored.push(key);
      if (this.#stored.length === this.#options.afterObjects) this.#die();
    },
  };
}
