import { CHECKSUM_ALGORITHMS, type StoredChecksum } from "../checksums.ts";

/** The HTTP headers S3 stores with an object and returns on GetObject/HeadObject. */
export interface ContentHeaders {
  readonly contentType: string;
  readonly contentEncoding?: string;
  readonly contentDisposition?: string;
  readonly contentLanguage?: string;
  readonly cacheControl?: string;
  readonly expires?: string;
}

/** Everything known about one stored object; persisted as JSON beside the object's bytes. */
export interface ObjectMeta extends ContentHeaders {
  readonly key: string;
  readonly size: number;
  /** Lower-case hex MD5; S3's ETag is this in double quotes. */
  readonly md5: string;
  readonly lastModified: number;
  readonly checksum?: StoredChecksum;
  readonly storageClass: string;
  /** `x-amz-meta-*` values by lower-case name without the prefix. */
  readonly userMetadata: Readonly<Record<string, string>>;
  /** mtime of the data file as written: a mismatch on load reveals bytes the metadata does not describe. */
  readonly fileMtimeMs: number;
}

const VERSION = 1;

export function serializeMeta(meta: ObjectMeta): string {
  return JSON.stringify({ v: VERSION, ...meta });
}

/** Reads a metadata file, or undefined if it is not one this store wrote. */
export function parseMeta(text: string): ObjectMeta | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const ok =
    m.v === VERSION &&
    typeof m.key === "string" &&
    typeof m.size === "number" &&
    typeof m.md5 === "string" &&
    /^[0-9a-f]{32}$/.test(m.md5) &&
    typeof m.lastModified === "number" &&
    typeof m.contentType === "string" &&
    typeof m.storageClass === "string" &&
    typeof m.fileMtimeMs === "number" &&
    typeof m.userMetadata === "object" &&
    m.userMetadata !== null &&
    Object.values(m.userMetadata).every((v) => typeof v === "string") &&
    (m.checksum === undefined || isChecksum(m.checksum));
  if (!ok) return undefined;
  const optional = (name: string) => (typeof m[name] === "string" ? (m[name] as string) : undefined);
  return {
    key: m.key as string,
    size: m.size as number,
    md5: m.md5 as string,
    lastModified: m.lastModified as number,
    contentType: m.contentType as string,
    contentEncoding: optional("contentEncoding"),
    contentDisposition: optional("contentDisposition"),
    contentLanguage: optional("contentLanguage"),
    cacheControl: optional("cacheControl"),
    expires: optional("expires"),
    checksum: m.checksum as StoredChecksum | undefined,
    storageClass: m.storageClass as string,
    userMetadata: m.userMetadata as Record<string, string>,
    fileMtimeMs: m.fileMtimeMs as number,
  };
}

function isChecksum(value: unknown): value is StoredChecksum {
  if (typeof value !== "object" || value === null) return false;
  const c = value as Record<string, unknown>;
  return typeof c.value === "string" && CHECKSUM_ALGORITHMS.some((a) => a === c.algorithm);
}

export function etagOf(meta: Pick<ObjectMeta, "md5">): string {
  return `"${meta.md5}"`;
}
