import { S3Error } from "./errors.ts";

/** An `aws-chunked` body taken apart: the object's bytes and the trailing headers. */
export interface DecodedChunks {
  readonly data: Buffer;
  /** Trailer headers by lower-case name (`x-amz-checksum-crc32`, `x-amz-trailer-signature`). */
  readonly trailers: ReadonlyMap<string, string>;
}

const CRLF = Buffer.from("\r\n");

/**
 * Decodes the `aws-chunked` framing SDK v3 uses for streamed uploads: `<hex-size>[;chunk-signature=…]\r\n
 * <bytes>\r\n` repeated, a zero-size chunk, then optional `name:value\r\n` trailers and a blank line.
 * Chunk and trailer signatures are ignored (the endpoint does not check credentials).
 */
export function decodeAwsChunked(body: Buffer): DecodedChunks {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const lineEnd = body.indexOf(CRLF, pos);
    if (lineEnd < 0) throw truncated();
    const header = body.toString("latin1", pos, lineEnd);
    const sizeText = (header.split(";", 1)[0] ?? "").trim();
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) {
      throw new S3Error("InvalidRequest", { message: `Malformed aws-chunked chunk header "${header.slice(0, 80)}"` });
    }
    const size = Number.parseInt(sizeText, 16);
    pos = lineEnd + 2;
    if (size === 0) break;
    if (pos + size + 2 > body.length) throw truncated();
    parts.push(body.subarray(pos, pos + size));
    pos += size;
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) {
      throw new S3Error("InvalidRequest", { message: "aws-chunked chunk is longer than its declared size" });
    }
    pos += 2;
  }
  return { data: parts.length === 1 ? parts[0]! : Buffer.concat(parts), trailers: parseTrailers(body, pos) };
}

function parseTrailers(body: Buffer, start: number): Map<string, string> {
  const trailers = new Map<string, string>();
  let pos = start;
  while (pos < body.length) {
    const lineEnd = body.indexOf(CRLF, pos);
    const line = body.toString("latin1", pos, lineEnd < 0 ? body.length : lineEnd);
    pos = lineEnd < 0 ? body.length : lineEnd + 2;
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new S3Error("InvalidRequest", { message: `Malformed aws-chunked trailer "${line.slice(0, 80)}"` });
    trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return trailers;
}

function truncated(): S3Error {
  return new S3Error("IncompleteBody", { message: "The aws-chunked body ended before its final chunk" });
}
