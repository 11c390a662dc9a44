import { createHash } from "node:crypto";
import { createReadStream, readFileSync, statSync, type Stats } from "node:fs";
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { newDigest } from "../checksums.ts";
import { decodeSegment, keyLocation, SELF_NAME } from "./key-path.ts";
import { isNotFound, metaPathOf } from "./bucket-store.ts";
import type { IndexedObject } from "./object-index.ts";
import { parseMeta, serializeMeta, type ObjectMeta } from "./object-meta.ts";

interface FoundFile {
  readonly path: string;
  /** The key the path spells, if it spells one (hashed names need their metadata file). */
  readonly pathKey: string | undefined;
}

// Files checked per turn of the event loop. Synchronous stat/read is several times faster than
// going through the thread pool for tiny metadata files; yielding between slices keeps the
// endpoint answering other services while a large bucket loads.
const SLICE = 256;

/**
 * Rebuilds a bucket's index from its folder. Each data file's metadata file is trusted when it
 * names a key that maps to this very path and still matches the file's size and mtime. Otherwise
 * (a crash between the two renames of a write, a copied store, a file an operator dropped in) the
 * bytes are hashed again and the metadata rewritten, so what is listed is always what is served.
 */
export async function loadBucket(dir: string): Promise<IndexedObject[]> {
  const files: FoundFile[] = [];
  await walk(dir, [], files);
  const loaded: IndexedObject[] = [];
  const stale: { found: FoundFile; stored: ObjectMeta | undefined; key: string }[] = [];
  for (let i = 0; i < files.length; i += SLICE) {
    for (const found of files.slice(i, i + SLICE)) {
      const checked = checkObject(dir, found);
      if (checked?.entry) loaded.push(checked.entry);
      else if (checked) stale.push({ found, stored: checked.stored, key: checked.key });
    }
    await yieldToEventLoop();
  }
  for (const { found, stored, key } of stale) loaded.push(await rebuildObject(found, stored, key));
  return loaded;
}

async function walk(folder: string, segments: string[] | undefined, out: FoundFile[]): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
    if (isNotFound(error)) return [];
    throw error;
  });
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue; // the store's own files: .meta/, .bucket.json
    const path = join(folder, entry.name);
    const segment = decodeSegment(entry.name);
    if (entry.isDirectory()) {
      await walk(path, segments && segment !== undefined ? [...segments, segment] : undefined, out);
    } else if (entry.isFile()) {
      let pathKey: string | undefined;
      if (entry.name === SELF_NAME) pathKey = segments && segments.length > 0 ? segments.join("/") : undefined;
      else if (segments && segment !== undefined) pathKey = [...segments, segment].join("/");
      out.push({ path, pathKey });
    }
    // Symbolic links and other special files are not objects this store wrote: ignored.
  }
}

/** The indexed object if its metadata can be trusted, else what is needed to rebuild it. */
function checkObject(
  bucketDir: string,
  found: FoundFile,
): { entry?: IndexedObject; stored: ObjectMeta | undefined; key: string } | undefined {
  let info: Stats;
  let metaText: string | undefined;
  try {
    info = statSync(found.path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  try {
    metaText = readFileSync(metaPathOf(found.path), "utf8");
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const stored = metaText === undefined ? undefined : parseMeta(metaText);
  const storedFits = stored !== undefined && pathsOf(bucketDir, stored.key).includes(found.path);
  const key = storedFits ? stored.key : found.pathKey;
  if (key === undefined || key === "" || Buffer.byteLength(key) > 1024) return undefined;
  if (storedFits && stored.size === info.size && stored.fileMtimeMs === info.mtimeMs) {
    return { entry: { meta: stored, file: found.path }, stored, key };
  }
  return { stored: storedFits ? stored : undefined, key };
}

async function rebuildObject(found: FoundFile, stored: ObjectMeta | undefined, key: string): Promise<IndexedObject> {
  const info = await stat(found.path);
  const { md5, checksum } = await hashFile(found.path);
  const meta: ObjectMeta =
    stored && stored.md5 === md5
      ? { ...stored, size: info.size, fileMtimeMs: info.mtimeMs }
      : {
          key,
          size: info.size,
          md5,
          lastModified: Math.floor(info.mtimeMs / 1000) * 1000,
          contentType: "binary/octet-stream",
          checksum: { algorithm: "CRC64NVME", value: checksum },
          storageClass: "STANDARD",
          userMetadata: {},
          fileMtimeMs: info.mtimeMs,
        };
  const metaFile = metaPathOf(found.path);
  await mkdir(dirname(metaFile), { recursive: true });
  await writeFile(metaFile, serializeMeta(meta));
  return { meta, file: found.path };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Both places an object's bytes may live: its own name, or `%self` inside a same-named folder. */
function pathsOf(bucketDir: string, key: string): string[] {
  const { folders, name } = keyLocation(key);
  const file = join(bucketDir, ...folders, name);
  return [file, join(file, SELF_NAME)];
}

async function hashFile(path: string): Promise<{ md5: string; checksum: string }> {
  const md5 = createHash("md5");
  const crc = newDigest("CRC64NVME");
  for await (const chunk of createReadStream(path)) {
    md5.update(chunk as Buffer);
    crc.update(chunk as Buffer);
  }
  return { md5: md5.digest("hex"), checksum: crc.digest().toString("base64") };
}
