/**
 * Redshift's `LOCK table`: an exclusive lock held until the transaction ends, so a second
 * transaction that asks for it waits instead of failing. DuckDB has no table locks (concurrent
 * writers of one row abort on commit), so the runner keeps them here, per database and table.
 * Locks are always taken in name order by one holder at a time, so two holders cannot deadlock.
 */
export class TableLocks {
  readonly #tails = new Map<string, Promise<void>>();

  /** A holder for one transaction: `take` waits for each table in turn; `releaseAll` ends it. */
  holder(database: string): LockHolder {
    const held = new Map<string, () => void>();
    return {
      take: async (tables) => {
        for (const table of [...new Set(tables)].sort()) {
          const key = `${database}\u0000${table}`;
          if (held.has(key)) continue;
          const previous = this.#tails.get(key) ?? Promise.resolve();
          let release!: () => void;
          const mine = new Promise<void>((resolve) => (release = resolve));
          const tail = previous.then(() => mine);
          this.#tails.set(key, tail);
          held.set(key, () => {
            release();
            if (this.#tails.get(key) === tail) this.#tails.delete(key);
          });
          await previous;
        }
      },
      releaseAll: () => {
        for (const release of held.values()) release();
        held.clear();
      },
    };
  }
}

export interface LockHolder {
  take(tables: readonly string[]): Promise<void>;
  releaseAll(): void;
}
