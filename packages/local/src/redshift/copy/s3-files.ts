import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CopyError } from "../errors.ts";

/** A data file of a COPY, downloaded from the local S3 store into the statement's temp folder. */
export interface LocalFile {
  /** The `s3://bucket/key` Redshift names in load errors. */
  readonly url: string;
  readonly path: string;
  readonly gzip: boolean;
}

/** Where a COPY's files come from: the S3 API, or (in process) the lake's own object files. */
export interface CopyFilesEnv {
  readonly s3: S3Client;
  /** The file of `s3://bucket/key` in the in-process lake, or undefined if there is no such object. */
  readonly objectFile?: ObjectFile;
}

type ObjectFile = (bucket: string, key: string) => Promise<string | undefined>;

interface ManifestEntry {
  readonly url: string;
  readonly mandatory: boolean;
}

/**
 * Lists the files a COPY loads (the manifest's entries, or every object under the prefix) and
 * downloads them through the S3 API. A missing mandatory entry fails the COPY as Redshift does;
 * a missing optional one is skipped; no file at all fails too.
 */
export async function fetchCopyFiles(
  env: CopyFilesEnv,
  source: string,
  manifest: boolean,
  gzip: boolean,
  dir: string,
): Promise<LocalFile[]> {
  const { s3, objectFile } = env;
  const entries = manifest ? await readManifest(env, source) : await listPrefix(s3, source);
  const files: LocalFile[] = [];
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const n = next++;
      const entry = entries[n]!;
      const compressed = gzip || entry.url.endsWith(".gz");
      if (objectFile) {
        const { bucket, key } = parseS3Url(entry.url);
        const path = await objectFile(bucket, key);
        if (path === undefined && entry.mandatory) throw missingMandatory(entry.url);
        if (path !== undefined) files[n] = { url: entry.url, path, gzip: compressed };
        continue;
      }
      const body = await getObject(s3, entry.url);
      if (body === undefined) {
        if (entry.mandatory) throw missingMandatory(entry.url);
        continue;
      }
      const path = join(dir, `${String(n).padStart(6, "0")}.ndjson${compressed ? ".gz" : ""}`);
      await writeFile(path, body);
      files[n] = { url: entry.url, path, gzip: compressed };
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, entries.length) }, worker));
  const found = files.filter((f): f is LocalFile => f !== undefined);
  if (found.length === 0) throw new CopyError(`The specified S3 prefix '${source}' does not exist or holds no files to load`);
  return found;
}

function missingMandatory(url: string): CopyError {
  return new CopyError(`S3ServiceException:The specified key does not exist.,Status 404,Error NoSuchKey. Manifest entry ${url} is mandatory and was not found`);
}

async function readManifest(env: CopyFilesEnv, url: string): Promise<ManifestEntry[]> {
  const body = env.objectFile ? await readInPlace(env.objectFile, url) : await getObject(env.s3, url);
  if (body === undefined) throw new CopyError(`Problem reading manifest file - S3ServiceException:The specified key does not exist.,Status 404,Error NoSuchKey. Manifest ${url}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch (cause) {
    throw new CopyError(`Manifest file is not in correct json format: ${url}`, { cause });
  }
  const entries = (parsed as { entries?: unknown }).entries;
  if (!Array.isArray(entries)) throw new CopyError(`Manifest file is not in correct json format: "entries" is missing in ${url}`);
  return entries.map((e: unknown) => {
    const entry = e as { url?: unknown; mandatory?: unknown };
    if (typeof entry.url !== "string" || !entry.url.startsWith("s3://")) throw new CopyError(`Manifest file is not in correct json format: an entry has no s3:// url in ${url}`);
    return { url: entry.url, mandatory: entry.mandatory === true };
  });
}

async function listPrefix(s3: S3Client, prefixUrl: string): Promise<ManifestEntry[]> {
  const { bucket, key } = parseS3Url(prefixUrl);
  const entries: ManifestEntry[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key) entries.push({ url: `s3://${bucket}/${object.Key}`, mandatory: true });
    token = page.NextContinuationToken;
  } while (token);
  return entries;
}

/** The object's bytes read from its file in the in-process lake, or undefined if there is no such object. */
async function readInPlace(objectFile: ObjectFile, url: string): Promise<Uint8Array | undefined> {
  const { bucket, key } = parseS3Url(url);
  const path = await objectFile(bucket, key);
  if (path === undefined) return undefined;
  try {
    return await readFile(path);
  } catch (error) {
    // Deleted since the index named it: it no longer exists.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CopyError(`S3ServiceException: cannot read ${url}: ${(error as Error).message}`, { cause: error });
  }
}

/** The object's bytes, or undefined if the bucket or key does not exist. */
async function getObject(s3: S3Client, url: string): Promise<Uint8Array | undefined> {
  const { bucket, key } = parseS3Url(url);
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await out.Body!.transformToByteArray();
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === "NoSuchKey" || name === "NoSuchBucket" || name === "NotFound") return undefined;
    throw new CopyError(`S3ServiceException: cannot read ${url}: ${(error as Error).message}`, { cause: error });
  }
}

export function parseS3Url(url: string): { bucket: string; key: string } {
  const rest = url.slice("s3://".length);
  const slash = rest.indexOf("/");
  if (!url.startsWith("s3://") || slash <= 0) throw new CopyError(`Invalid S3 URL ${url}`);
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}
