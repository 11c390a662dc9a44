import { S3Error } from "./errors.ts";

/** An inclusive byte range of an object. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Reads a `Range` header the way S3 does: one `bytes=` range (`a-b`, `a-`, `-n`). A header S3
 * would ignore (another unit, several ranges, bad syntax, `a > b`) gives undefined: the whole
 * object. A syntactically valid range that starts past the end is `InvalidRange` (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return undefined;
  const unsatisfiable = () =>
    new S3Error("InvalidRange", { details: { RangeRequested: header, ActualObjectSize: String(size) } });
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== "" && Number(last) < start) return undefined;
  if (start >= size) throw unsatisfiable();
  return { start, end: last === "" ? size - 1 : Math.min(Number(last), size - 1) };
}
