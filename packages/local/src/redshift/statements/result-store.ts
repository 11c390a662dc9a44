import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ResultSet } from "../engine/results.ts";

/** The Data API keeps a statement's result for 24 hours. */
export const RESULT_RETENTION_MS = 24 * 3_600_000;
/** Results kept in memory as well as on disk (the newest). */
const IN_MEMORY = 256;

/**
 * Statement results for GetStatementResult, by statement or sub-statement id: the newest in
 * memory, every one in `<dir>/results/` so they outlive a restart as they outlive a client in
 * AWS (a workflow polling across an endpoint restart still reads its load summary). Files older
 * than the Data API's retention are removed when the store opens.
 */
export class ResultStore {
  private readonly dir: string;
  private readonly memory = new Map<string, ResultSet>();
  private readonly writes = new Set<Promise<void>>();

  constructor(root: string) {
    this.dir = join(root, "results");
    mkdirSync(this.dir, { recursive: true });
    const cutoff = Date.now() - RESULT_RETENTION_MS;
    for (const name of readdirSync(this.dir)) {
      const file = join(this.dir, name);
      if (statSync(file).mtimeMs < cutoff) rmSync(file, { force: true });
    }
  }

  set(id: string, result: ResultSet): void {
    this.memory.set(id, result);
    if (this.memory.size > IN_MEMORY) this.memory.delete(this.memory.keys().next().value as string);
    const write = writeFile(this.fileOf(id), JSON.stringify(result))
      .catch(() => undefined)
      .finally(() => this.writes.delete(write));
    this.writes.add(write);
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

  private fileOf(id: string): string {
    return join(this.dir, `${id.replace(/[^A-Za-z0-9-]/g, "_")}.json`);
  }
}
