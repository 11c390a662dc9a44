import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { validation } from "../errors.ts";
import { REDSHIFT_MACROS } from "../sql/macros.ts";
import { SYSTEM_TABLES } from "./system-tables.ts";

const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,126}$/;

/**
 * The DuckDB databases behind the Data API, one file per Redshift database under
 * `<root>/<database>.duckdb`, opened on first use (and created then, as `dev` always exists in
 * Redshift) with Redshift's macros and system tables in place.
 */
export class DatabaseEngine {
  readonly root: string;
  private readonly instances = new Map<string, Promise<DuckDBInstance>>();
  private readonly open = new Set<DuckDBConnection>();

  constructor(root: string) {
    this.root = root;
    mkdirSync(root, { recursive: true });
  }

  /** A new session on `database`: integer division as in Redshift, UTC clock. */
  async connect(database: string): Promise<DuckDBConnection> {
    const instance = await this.instance(database);
    const connection = await instance.connect();
    await connection.run("SET integer_division = true; SET TimeZone = 'UTC'");
    this.open.add(connection);
    return connection;
  }

  release(connection: DuckDBConnection): void {
    if (this.open.delete(connection)) connection.closeSync();
  }

  async close(): Promise<void> {
    for (const connection of this.open) {
      connection.interrupt();
      connection.closeSync();
    }
    this.open.clear();
    const instances = [...this.instances.values()];
    this.instances.clear();
    for (const pending of instances) {
      const instance = await pending.catch(() => undefined);
      instance?.closeSync();
    }
  }

  private instance(database: string): Promise<DuckDBInstance> {
    if (!DATABASE_NAME.test(database)) throw validation(`Database name "${database}" is not a valid Redshift identifier`);
    const key = database.toLowerCase();
    let pending = this.instances.get(key);
    if (!pending) {
      pending = openDatabase(join(this.root, `${key}.duckdb`));
      this.instances.set(key, pending);
      pending.catch(() => this.instances.delete(key));
    }
    return pending;
  }
}

/**
 * DuckDB's worker threads for a machine of `cores`: half of them, at least one. DuckDB's default
 * (one per core) competes with every other embedded service and the functions' threads, for
 * statements too small to gain from it: on two cores, one thread cut the CPU DuckDB used amid
 * 2,000 events/s by about a quarter, and 10M-row dashboards were no slower.
 */
export function duckdbThreads(cores: number): number {
  return Math.max(1, Math.floor(cores / 2));
}

async function openDatabase(path: string): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(path, { threads: String(duckdbThreads(availableParallelism())) });
  const connection = await instance.connect();
  try {
    for (const sql of [...SYSTEM_TABLES, ...REDSHIFT_MACROS]) await connection.run(sql);
  } finally {
    connection.closeSync();
  }
  return instance;
}
