import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ResultSet } from "../engine/results.ts";

/** The Data API keeps a statement's result for 24 hours. */
export const RESULT_RETENTION_MS = 24 * 3_600_000;
/** Results kept in memory as well as on disk (the newest). */
const IN_MEMORY = 256;
/**
 * Bytes of results kept on disk (the newest). The Data API keeps results for a day in AWS's
 * storage; here they fill the user's disk (1.5 GB in an hour and a half of `npm start`), so the
 * oldest go first past this, as after the retention.
 */
export const DEFAULT_RESULT_BYTES = 256 * 1024 * 1024;

/**
 * Statement results for GetStatementResult, by statement or sub-statement id: the newest in
 * memory, every one in `<dir>/results/` so they outlive a restart as they outlive a client in
 * AWS (a workflow polling across an endpoint restart still reads its load summary). Files older
 * than the Data API's retention are removed when the store opens, and the oldest once the files
 * hold more than `maxBytes`; a statement's result goes with its record (`delete`).
 */
export class ResultStore {
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly memory = new Map<string, ResultSet>();
  private readonly writes = new Set<Promise<void>>();
  /** Bytes of each result file, oldest first. */
  private readonly onDisk = new Map<string, number>();
  private bytes = 0;

  constructor(root: string, maxBytes = DEFAULT_RESULT_BYTES) {
    this.dir = join(root, "results");
    this.maxBytes = maxBytes;
    mkdirSync(this.dir, { recursive: true });
    const cutoff = Date.now() - RESULT_RETENTION_MS;
    const kept: { file: string; mtimeMs: number; size: number }[] = [];
    for (const name of readdirSync(this.dir)) {
      const file = join(this.dir, name);
      const { mtimeMs, size } = statSync(file);
      if (mtimeMs < cutoff) rmSync(file, { force: true });
      else kept.push({ file, mtimeMs, size });
    }
    for (const { file, size } of kept.sort((a, b) => a.mtimeMs - b.mtimeMs)) this.track(file, size);
    this.evict();
  }

  set(id: string, result: ResultSet): void {
    this.memory.set(id, result);
    if (this.memory.size > IN_MEMORY) this.memory.delete(this.memory.keys().next().value as string);
    const file = this.fileOf(id);
    const text = JSON.stringify(result);
    this.track(file, Buffer.byteLength(text));
    const write = writeFile(file, text)
      .catch(() => undefined)
      .finally(() => this.writes.delete(write));
    this.writes.add(write);
    // Evicted files are removed once their writes are done (a removal racing its write could lose).
    void write.then(() => this.evict());
  }

  /** Forgets a result (its statement's record was let go). */
  delete(id: string): void {
    this.memory.delete(id);
    const file = this.fileOf(id);
    if (!this.onDisk.has(file)) return;
    this.untrack(file);
    rmSync(file, { force: true });
  }

  get(id: string): ResultSet | undefined {
    const cached = this.memory.get(id);
    if (cached) return cached;
    const file = this.fileOf(id);
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, "utf8")) as ResultSet;
    } catch {
      // Torn by a crash mid-write: gone, as an expired result is.
      return undefined;
    }
  }

  /** Waits for results still being written. */
  async flush(): Promise<void> {
    await Promise.all([...this.writes]);
  }

  private track(file: string, size: number): void {
    this.untrack(file);
    this.onDisk.set(file, size);
    this.bytes += size;
  }

  private untrack(file: string): void {
    this.bytes -= this.onDisk.get(file) ?? 0;
    this.onDisk.delete(file);
  }

  /** The oldest result files go while the rest hold more than `maxBytes`. */
  private evict(): void {
    for (const [file, size] of this.onDisk) {
      if (this.bytes <= this.maxBytes) return;
      this.onDisk.delete(file);
      this.bytes -= size;
      rmSync(file, { force: true });
    }
  }

  private fileOf(id: string): string {
    return join(this.dir, `${id.replace(/[^A-Za-z0-9-]/g, "_")}.json`);
  }
}
