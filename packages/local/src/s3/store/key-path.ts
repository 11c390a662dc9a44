import { createHash } from "node:crypto";

/**
 * How object keys become paths under a bucket folder. Keys are split at `/` into folders so the
 * store reads like the lake (`processed/dt=2026-11-26/hr=05/part-1.ndjson.gz`); each segment is
 * escaped so no key can name anything outside its bucket folder or collide with the store's own
 * files:
 * - `%`, `\`, control characters and a leading `.` are percent-encoded (so `.`, `..` and every
 *   dot-name stay free for the store: `.meta/`, `.bucket.json`);
 * - an empty segment (`a//b`, `dir/`) is `%`;
 * - a segment whose escaped form is too long for a file name is `%h<sha256>` (its key is then
 *   read from the metadata file beside it);
 * - an object whose key is also a folder (`a` next to `a/b`) lives in that folder as `%self`.
 * Names starting with `%` followed by a non-hex character are never produced by escaping.
 */
export const SELF_NAME = "%self";
/** Folder beside each object folder holding one metadata file per object, same base name. */
export const META_DIR = ".meta";
const EMPTY_NAME = "%";
const HASHED_PREFIX = "%h";
// File systems allow 255 bytes per name; stay below so `.tmp-…` siblings also fit.
const MAX_NAME_BYTES = 200;

export function encodeSegment(segment: string): string {
  if (segment === "") return EMPTY_NAME;
  let out = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    const code = c.charCodeAt(0);
    if (c === "%" || c === "\\" || code < 0x20 || code === 0x7f || (i === 0 && c === ".")) {
      out += `%${code.toString(16).toUpperCase().padStart(2, "0")}`;
    } else {
      out += c;
    }
  }
  if (Buffer.byteLength(out) > MAX_NAME_BYTES) {
    return HASHED_PREFIX + createHash("sha256").update(segment).digest("hex");
  }
  return out;
}

/**
 * The key segment a file or folder name stands for, or undefined when the name is the store's
 * own, hashed (the key must come from metadata) or not a name escaping could have produced.
 */
export function decodeSegment(name: string): string | undefined {
  if (name === EMPTY_NAME) return "";
  if (name.startsWith(".") || name === SELF_NAME || name.startsWith(HASHED_PREFIX)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    return undefined;
  }
  return encodeSegment(decoded) === name ? decoded : undefined;
}

/** The folder names (relative to the bucket folder) and the file name an object key maps to. */
export function keyLocation(key: string): { folders: string[]; name: string } {
  const segments = key.split("/").map(encodeSegment);
  const name = segments.pop()!;
  return { folders: segments, name };
}
