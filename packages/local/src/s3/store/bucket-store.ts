import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { lstat, mkdir, open, rename, rmdir, stat, unlink, writeFile, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { S3Error, S3StorageError } from "../errors.ts";
import { keyLocation, META_DIR, SELF_NAME } from "./key-path.ts";
import { Mutex } from "./mutex.ts";
import type { IndexedObject, ListPage, ListQuery, ObjectIndex } from "./object-index.ts";
import { serializeMeta, type ObjectMeta } from "./object-meta.ts";


/** What a writer says about the new object; the store adds key and times. */
export type ObjectDescription = Omit<ObjectMeta, "key" | "lastModified" | "fileMtimeMs">;

/** An open object: its metadata and a handle on exactly the bytes that metadata describes. */
export interface OpenObject {
  readonly meta: ObjectMeta;
  readonly handle: FileHandle;
}

/**
 * One bucket's folder. Bytes are written to a temporary file first and renamed into place, so a
 * reader (this process or anyone browsing the folder) never sees a partial object. Renames,
 * folder changes and index updates happen under one lock per bucket; readers take the same lock
 * only to open the file, so the metadata they get always matches the bytes they read.
 */
export class BucketStore {
  readonly name: string;
  readonly dir: string;
  readonly #tmpDir: string;
  readonly #index: ObjectIndex;
  readonly #lock = new Mutex();
  /** Folders known to exist (under the lock only the store creates or removes them). */
  readonly #folders = new Set<string>();
  #deleted = false;
  /** Objects moving into a folder now (see fileOf). */
  #moving = 0;

  constructor(name: string, dir: string, tmpDir: string, index: ObjectIndex) {
    this.name = name;
    this.dir = dir;
    this.#tmpDir = tmpDir;
    this.#index = index;
  }

  get objectCount(): number {
    return this.#index.size;
  }

  head(key: string): ObjectMeta | undefined {
    return this.#index.get(key)?.meta;
  }

  list(query: ListQuery): ListPage {
    return this.#index.list(query);
  }

  /**
   * The file holding the object's bytes, or undefined if there is no such object. For in-process
   * readers (the local COPY): a later overwrite renames a new file over it, so a reader that has
   * opened it keeps reading the bytes it asked for.
   * Without the lock: the caller opens the file after this returns, so the lock could not keep the
   * path valid for it anyway, and waiting behind every write queued on the bucket made a COPY of
   * 50 objects wait up to a second amid 2,000 events/s. Only while an object moves into a folder
   * (its path changes in steps) does it wait for the lock.
   */
  async fileOf(key: string): Promise<string | undefined> {
    if (this.#moving > 0) {
      return this.#lock.run(async () => {
        this.#assertLive();
        return this.#index.get(key)?.file;
      });
    }
    this.#assertLive();
    return this.#index.get(key)?.file;
  }

  open(key: string): Promise<OpenObject> {
    return this.#lock.run(async () => {
      this.#assertLive();
      const entry = this.#index.get(key);
      if (!entry) throw new S3Error("NoSuchKey", { details: { Key: key } });
      try {
        return { meta: entry.meta, handle: await open(entry.file, "r") };
      } catch (error) {
        if (!isNotFound(error)) throw error;
        // Removed behind the store's back (an operator cleaning up): it no longer exists.
        this.#index.delete(key);
        throw new S3Error("NoSuchKey", { details: { Key: key } });
      }
    });
  }

  /**
   * Stores `source` as `key`, described by `description`. `precondition` runs under the bucket
   * lock with the object being replaced, so conditional writes (`If-None-Match: *`, `If-Match`)
   * are decided atomically; it may throw to refuse the write. It also runs first, on the object
   * as it is when the request arrives, so a write refused then writes nothing.
   */
  async put(
    key: string,
    source: Uint8Array | AsyncIterable<Uint8Array>,
    description: ObjectDescription,
    precondition?: (existing: ObjectMeta | undefined) => void,
  ): Promise<ObjectMeta> {
    // A condition that fails already fails before any file is written: most writers that race
    // for a lease (the triage debounce tries on every dead letter landing) lose, and a loss then
    // costs no file at all. It is decided again under the lock, where the write happens.
    this.#assertLive();
    precondition?.(this.#index.get(key)?.meta);
    const tmp = join(this.#tmpDir, randomUUID());
    const metaTmp = `${tmp}.meta`;
    let placed = false;
    try {
      // Through the thread pool, not synchronously: one write alone would be faster in sync calls,
      // but under load they held the event loop every other service shares (file creation
      // costs about a millisecond here).
      if (source instanceof Uint8Array) await writeFile(tmp, source);
      else await pipeline(source, createWriteStream(tmp));
      const { mtimeMs, size } = await stat(tmp);
      if (description.size !== size) {
        throw new S3StorageError(`Wrote ${size} bytes for an object of ${description.size}`, tmp);
      }
      const meta: ObjectMeta = {
        ...description,
        key,
        lastModified: Math.floor(Date.now() / 1000) * 1000,
        fileMtimeMs: mtimeMs,
      };
      await writeFile(metaTmp, serializeMeta(meta));
      return await this.#lock.run(async () => {
        this.#assertLive();
        precondition?.(this.#index.get(key)?.meta);
        let file: string;
        try {
          file = await this.#place(key, tmp, metaTmp);
        } catch (error) {
          if (!isNotFound(error)) throw error;
          // A folder vanished behind the store's back (an operator tidying up): relearn and retry.
          this.#folders.clear();
          file = await this.#place(key, tmp, metaTmp);
        }
        this.#index.set({ meta, file });
        placed = true;
        return meta;
      });
    } finally {
      if (!placed) {
        await unlink(tmp).catch(() => undefined);
        await unlink(metaTmp).catch(() => undefined);
      }
    }
  }

  /** Removes `key`; true if it existed. Folders left empty are removed too. */
  delete(key: string): Promise<boolean> {
    return this.#lock.run(async () => {
      this.#assertLive();
      const entry = this.#index.get(key);
      if (!entry) return false;
      await unlink(entry.file).catch(ignoreNotFound);
      await unlink(metaPathOf(entry.file)).catch(ignoreNotFound);
      this.#index.delete(key);
      await this.#pruneFolders(dirname(entry.file));
      return true;
    });
  }

  /** Runs `section` with the bucket locked and marks the bucket gone if it returns true. */
  retireIf(section: (objectCount: number) => Promise<boolean>): Promise<boolean> {
    return this.#lock.run(async () => {
      this.#assertLive();
      const retired = await section(this.#index.size);
      if (retired) this.#deleted = true;
      return retired;
    });
  }

  #assertLive(): void {
    if (this.#deleted) throw new S3Error("NoSuchBucket", { details: { BucketName: this.name } });
  }

  /**
   * Creates the folders for `key` and returns its data file path. A folder name already taken by
   * an object's file (`a` when storing `a/b`) turns that object into `a/%self`.
   */
  async #prepareLocation(key: string): Promise<string> {
    const { folders, name } = keyLocation(key);
    const segments = key.split("/");
    let dir = this.dir;
    for (let i = 0; i < folders.length; i++) {
      const next = join(dir, folders[i]!);
      if (!this.#folders.has(next)) {
        const found = await lstat(next).catch(ignoreNotFound);
        if (!found) await mkdir(next);
        else if (found.isFile()) await this.#moveIntoFolder(segments.slice(0, i + 1).join("/"), next);
        else if (!found.isDirectory()) throw new S3StorageError("Not a folder where the store expects one", next);
        this.#folders.add(next);
      }
      dir = next;
    }
    const file = join(dir, name);
    const found = await lstat(file).catch(ignoreNotFound);
    return found?.isDirectory() ? join(file, SELF_NAME) : file;
  }

  async #moveIntoFolder(key: string, path: string): Promise<void> {
    const entry = this.#index.get(key);
    if (!entry || entry.file !== path) throw new S3StorageError("A file the index does not know blocks a folder", path);
    this.#moving += 1;
    try {
      const aside = join(this.#tmpDir, randomUUID());
      await rename(path, aside);
      await mkdir(join(path, META_DIR), { recursive: true });
      const file = join(path, SELF_NAME);
      await rename(aside, file);
      await rename(metaPathOf(path), metaPathOf(file)).catch(ignoreNotFound);
      this.#index.set({ meta: entry.meta, file } satisfies IndexedObject);
    } finally {
      this.#moving -= 1;
    }
  }

  /** Renames the written files into place; returns the data file's path. */
  async #place(key: string, tmp: string, metaTmp: string): Promise<string> {
    const file = await this.#prepareLocation(key);
    const metaDir = join(dirname(file), META_DIR);
    await this.#ensureFolder(metaDir);
    await rename(tmp, file);
    await rename(metaTmp, join(metaDir, basename(file)));
    return file;
  }

  async #ensureFolder(dir: string): Promise<void> {
    if (this.#folders.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.#folders.add(dir);
  }

  async #pruneFolders(from: string): Promise<void> {
    let dir = from;
    while (dir.startsWith(this.dir) && dir !== this.dir) {
      const metaDir = join(dir, META_DIR);
      if (await rmdir(metaDir).then(() => true, () => false)) this.#folders.delete(metaDir);
      try {
        await rmdir(dir);
      } catch {
        return;
      }
      this.#folders.delete(dir);
      dir = dirname(dir);
    }
  }
}

/** The metadata file of a data file: `<folder>/.meta/<same name>`. */
export function metaPathOf(file: string): string {
  return join(dirname(file), META_DIR, basename(file));
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

function ignoreNotFound(error: unknown): undefined {
  if (isNotFound(error)) return undefined;
  throw error;
}
