import { compareUtf8, lowerBound, upperBound } from "../utf8-order.ts";
import type { ObjectMeta } from "./object-meta.ts";

/** An object as the index knows it: its metadata and where its bytes are. */
export interface IndexedObject {
  readonly meta: ObjectMeta;
  /** Absolute path of the data file. */
  readonly file: string;
}

export interface ListQuery {
  readonly prefix: string;
  readonly delimiter?: string;
  /**
   * List only what sorts after this key. A common prefix equal to it was returned already (it is
   * where the previous page ended), so the keys it rolls up are skipped too.
   */
  readonly after?: string;
  readonly maxKeys: number;
}

export interface ListPage {
  readonly objects: ObjectMeta[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  /** The last key or common prefix returned, from which a continuation resumes. */
  readonly last?: { readonly value: string; readonly isPrefix: boolean };
}

/**
 * A bucket's keys in S3 order (UTF-8 bytes) with their metadata, kept in memory so listing is a
 * binary search and a walk instead of a directory crawl.
 */
export class ObjectIndex {
  #keys: string[] = [];
  readonly #entries = new Map<string, IndexedObject>();

  get size(): number {
    return this.#keys.length;
  }

  get(key: string): IndexedObject | undefined {
    return this.#entries.get(key);
  }

  set(entry: IndexedObject): void {
    const key = entry.meta.key;
    if (!this.#entries.has(key)) this.#keys.splice(lowerBound(this.#keys, key), 0, key);
    this.#entries.set(key, entry);
  }

  delete(key: string): void {
    if (!this.#entries.delete(key)) return;
    this.#keys.splice(lowerBound(this.#keys, key), 1);
  }

  /** Replaces the contents in one sort, for loading a bucket from disk. */
  load(entries: Iterable<IndexedObject>): void {
    this.#entries.clear();
    for (const entry of entries) this.#entries.set(entry.meta.key, entry);
    this.#keys = [...this.#entries.keys()].sort(compareUtf8);
  }

  /** Keys starting with `prefix` (used to find folders that still hold objects). */
  hasKeyWithPrefix(prefix: string): boolean {
    return this.#keys[lowerBound(this.#keys, prefix)]?.startsWith(prefix) ?? false;
  }

  list(query: ListQuery): ListPage {
    const { prefix, delimiter, after, maxKeys } = query;
    const keys = this.#keys;
    let i = lowerBound(keys, prefix);
    if (after !== undefined) i = Math.max(i, upperBound(keys, after));
    const objects: ObjectMeta[] = [];
    const commonPrefixes: string[] = [];
    let last: ListPage["last"];
    let isTruncated = false;
    while (i < keys.length && maxKeys > 0) {
      const key = keys[i]!;
      if (!key.startsWith(prefix)) break;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const common = key.slice(0, cut + delimiter!.length);
        if (common === after) {
          i++;
          continue;
        }
        if (objects.length + commonPrefixes.length === maxKeys) {
          isTruncated = true;
          break;
        }
        commonPrefixes.push(common);
        last = { value: common, isPrefix: true };
        i++;
        while (i < keys.length && keys[i]!.startsWith(common)) i++;
        continue;
      }
      if (objects.length + commonPrefixes.length === maxKeys) {
        isTruncated = true;
        break;
      }
      objects.push(this.#entries.get(key)!.meta);
      last = { value: key, isPrefix: false };
      i++;
    }
    return { objects, commonPrefixes, isTruncated, last };
  }
}
