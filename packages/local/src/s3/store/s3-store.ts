import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { S3Error } from "../errors.ts";
import { BucketStore, isNotFound } from "./bucket-store.ts";
import { loadBucket } from "./load-bucket.ts";
import { Mutex } from "./mutex.ts";
import { ObjectIndex } from "./object-index.ts";

export interface BucketInfo {
  readonly name: string;
  readonly createdAt: number;
  readonly region: string;
}

const BUCKET_FILE = ".bucket.json";
const TMP_DIR = ".tmp";

/**
 * Bucket names S3 accepts for new buckets: 3–63 characters of lower-case letters, digits, `.` and
 * `-`, starting and ending with a letter or digit, no `..`, not an IP address. Anything else can
 * never be a folder name here, which keeps every bucket inside the store's root.
 */
export function isValidBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes("..") &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name)
  );
}

/**
 * The S3 store under `<root>` (`<dataDir>/s3`): one folder per bucket holding its objects, a
 * `.bucket.json` per bucket, and `.tmp/` for writes in flight (same file system, so renames are
 * atomic). A bucket's index is loaded from its folder on first use.
 */
export class S3Store {
  readonly root: string;
  readonly #defaultRegion: string;
  readonly #tmpDir: string;
  readonly #buckets = new Map<string, Promise<BucketStore>>();
  readonly #lock = new Mutex();
  #ready: Promise<void> | undefined;

  constructor(root: string, defaultRegion: string) {
    this.root = root;
    this.#defaultRegion = defaultRegion;
    this.#tmpDir = join(root, TMP_DIR);
  }

  /** Creates the root and clears writes a previous run left unfinished. */
  ready(): Promise<void> {
    this.#ready ??= (async () => {
      await rm(this.#tmpDir, { recursive: true, force: true });
      await mkdir(this.#tmpDir, { recursive: true });
    })();
    return this.#ready;
  }

  /** The bucket, its index loaded; `NoSuchBucket` if it does not exist. */
  async bucket(name: string): Promise<BucketStore> {
    await this.ready();
    const cached = this.#buckets.get(name);
    if (cached) return cached;
    if (!isValidBucketName(name) || !(await this.#exists(name))) {
      throw new S3Error("NoSuchBucket", { details: { BucketName: name } });
    }
    // Another request may have started loading it while this one checked the folder.
    return this.#buckets.get(name) ?? this.#open(name);
  }

  async info(name: string): Promise<BucketInfo> {
    await this.bucket(name);
    return this.#readInfo(name);
  }

  /** Creates the bucket; false if it already existed. */
  createBucket(name: string, region: string): Promise<boolean> {
    return this.#lock.run(async () => {
      await this.ready();
      if (!isValidBucketName(name)) throw new S3Error("InvalidBucketName", { details: { BucketName: name } });
      if (await this.#exists(name)) return false;
      const dir = join(this.root, name);
      await mkdir(dir, { recursive: true });
      const info: BucketInfo = { name, createdAt: Date.now(), region };
      await writeFile(join(dir, BUCKET_FILE), JSON.stringify(info));
      return true;
    });
  }

  /** Deletes an empty bucket: `NoSuchBucket` or `BucketNotEmpty` otherwise. */
  deleteBucket(name: string): Promise<void> {
    return this.#lock.run(async () => {
      const bucket = await this.bucket(name);
      await bucket.retireIf(async (count) => {
        if (count > 0) throw new S3Error("BucketNotEmpty", { details: { BucketName: name } });
        await rm(bucket.dir, { recursive: true, force: true });
        return true;
      });
      this.#buckets.delete(name);
    });
  }

  async listBuckets(): Promise<BucketInfo[]> {
    await this.ready();
    const entries = await readdir(this.root, { withFileTypes: true });
    const names = entries.filter((e) => e.isDirectory() && isValidBucketName(e.name)).map((e) => e.name);
    const infos = await Promise.all(names.map((n) => this.#readInfo(n)));
    return infos.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async #exists(name: string): Promise<boolean> {
    try {
      return (await stat(join(this.root, name))).isDirectory();
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  #open(name: string): Promise<BucketStore> {
    const opening = (async () => {
      const dir = join(this.root, name);
      const index = new ObjectIndex();
      index.load(await loadBucket(dir));
      return new BucketStore(name, dir, this.#tmpDir, index);
    })();
    this.#buckets.set(name, opening);
    opening.catch(() => this.#buckets.delete(name));
    return opening;
  }

  /** A folder made by hand counts as a bucket; it then reports the folder's time and no region file. */
  async #readInfo(name: string): Promise<BucketInfo> {
    const dir = join(this.root, name);
    try {
      const parsed = JSON.parse(await readFile(join(dir, BUCKET_FILE), "utf8")) as Partial<BucketInfo>;
      if (typeof parsed.createdAt === "number" && typeof parsed.region === "string") {
        return { name, createdAt: parsed.createdAt, region: parsed.region };
      }
    } catch {
      // Fall through to what the folder itself tells.
    }
    const folder = await stat(dir);
    return { name, createdAt: folder.birthtimeMs || folder.mtimeMs, region: this.#defaultRegion };
  }
}
