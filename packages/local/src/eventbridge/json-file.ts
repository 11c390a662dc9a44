import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { EventBridgeStorageError } from "./errors.ts";

/**
 * A small JSON document on disk, replaced atomically (write, then rename) on every save, so a
 * crash leaves either the old or the new state, never half of one. EventBridge and Scheduler keep
 * their few rules and schedules this way.
 */
export class JsonFile<T> {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }

  load(fallback: T): T {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return fallback;
      throw new EventBridgeStorageError(`cannot read ${this.path}`, { cause: error });
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new EventBridgeStorageError(`${this.path} is not valid JSON`, { cause: error });
    }
  }

  save(value: T): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const temp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(value, null, 2));
      renameSync(temp, this.path);
    } catch (error) {
      throw new EventBridgeStorageError(`cannot write ${this.path}`, { cause: error });
    }
  }
}
