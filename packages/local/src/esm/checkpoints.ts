import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { CheckpointFileError } from "./errors.ts";

interface CheckpointDocument {
  readonly version: 1;
  readonly streamArn: string;
  readonly functionName: string;
  readonly updatedAt: string;
  /** Last processed sequence number per shard. */
  readonly shards: Readonly<Record<string, string>>;
}

/**
 * Per-shard positions of a mapping: the sequence number of the last record it is done with.
 * Each change is written to a temporary file that is then renamed over the old one, so the file
 * always holds a complete document even if the process dies mid-write; writes are serialized.
 */
export class CheckpointStore {
  readonly #file: string | undefined;
  readonly #streamArn: string;
  readonly #functionName: string;
  readonly #shards = new Map<string, string>();
  #writes: Promise<void> = Promise.resolve();
  #writeCount = 0;

  private constructor(file: string | undefined, streamArn: string, functionName: string) {
    this.#file = file;
    this.#streamArn = streamArn;
    this.#functionName = functionName;
  }

  /**
   * Loads the checkpoints of `streamArn` from `file` (none if it does not exist or belongs to
   * another stream). Without a file, checkpoints are kept in memory only.
   */
  static async load(file: string | undefined, streamArn: string, functionName: string): Promise<CheckpointStore> {
    const store = new CheckpointStore(file, streamArn, functionName);
    if (file === undefined) return store;
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return store;
      throw new CheckpointFileError(`Cannot read checkpoint file ${file}`, { cause: error });
    }
    let document: Partial<CheckpointDocument>;
    try {
      document = JSON.parse(text) as Partial<CheckpointDocument>;
    } catch (error) {
      throw new CheckpointFileError(`Checkpoint file ${file} is not JSON`, { cause: error });
    }
    if (document.streamArn !== streamArn) return store;
    for (const [shardId, sequenceNumber] of Object.entries(document.shards ?? {})) {
      if (typeof sequenceNumber === "string") store.#shards.set(shardId, sequenceNumber);
    }
    return store;
  }

  get(shardId: string): string | undefined {
    return this.#shards.get(shardId);
  }

  snapshot(): Record<string, string> {
    return Object.fromEntries(this.#shards);
  }

  /** Records that `shardId` is done up to `sequenceNumber`; resolves once that is on disk. */
  save(shardId: string, sequenceNumber: string): Promise<void> {
    this.#shards.set(shardId, sequenceNumber);
    const file = this.#file;
    if (file === undefined) return Promise.resolve();
    const write = this.#writes.then(() => this.#write(file));
    // A failed write must not wedge later ones; the caller still sees its own failure.
    this.#writes = write.catch(() => undefined);
    return write;
  }

  async #write(file: string): Promise<void> {
    const document: CheckpointDocument = {
      version: 1,
      streamArn: this.#streamArn,
      functionName: this.#functionName,
      updatedAt: new Date().toISOString(),
      shards: this.snapshot(),
    };
    const temporary = `${file}.${process.pid}.${++this.#writeCount}.tmp`;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(temporary, JSON.stringify(document, null, 2));
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new CheckpointFileError(`Cannot write checkpoint file ${file}`, { cause: error });
    }
  }
}
