import { IpLiteralError } from "./errors.ts";

/**
 * IP addresses and CIDR blocks as EventBridge reads them: an IPv4 literal is four dot-separated
 * decimal numbers, an IPv6 literal is hex groups and colons only (no embedded dotted quad, no zone);
 * an IPv4-mapped IPv6 address (`::ffff:a00:1`) is the IPv4 address it maps.
 */
export interface IpRange {
  readonly low: Uint8Array;
  readonly high: Uint8Array;
}

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** True when `text` has the shape of an IP literal (then it is compared as an address, not text). */
export function looksLikeIp(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

/** The address bytes (4 or 16) of an IP literal, or undefined when `text` is not one. */
export function parseIp(text: string): Uint8Array | undefined {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
}

/** The address bytes of a literal in a pattern, with AWS's reasons for refusing it. */
export function ipBytesOrThrow(text: string): Uint8Array {
  if (!looksLikeIp(text)) throw new IpLiteralError(`Nonstandard IP address: ${text}`);
  const bytes = parseIp(text);
  if (!bytes) throw new IpLiteralError(`Invalid IP address: ${text}`);
  return bytes;
}

/** The range a `cidr` pattern covers; host bits in the address are ignored, as AWS does. */
export function parseCidr(cidr: string): IpRange {
  // Java's String.split drops trailing empty parts: "10.0.0.0/" has one part.
  const parts = cidr.split("/");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length !== 2) throw new IpLiteralError("Malformed CIDR, one '/' required");
  const maskText = parts[1]!;
  const mask = /^[+-]?\d{1,10}$/.test(maskText) ? Number(maskText) : Number.NaN;
  if (!Number.isInteger(mask) || mask > 2147483647 || mask < -2147483648) {
    throw new IpLiteralError("Malformed CIDR, mask bits must be an integer");
  }
  if (mask < 0) throw new IpLiteralError("Malformed CIDR, mask bits must not be negative");
  const base = ipBytesOrThrow(parts[0]!);
  if (base.length === 4 && mask > 31) throw new IpLiteralError("IPv4 mask bits must be < 32");
  if (base.length === 16 && mask > 127) throw new IpLiteralError("IPv6 mask bits must be < 128");
  const low = new Uint8Array(base.length);
  const high = new Uint8Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const fixedBits = Math.max(0, Math.min(8, mask - i * 8));
    const keep = (0xff << (8 - fixedBits)) & 0xff;
    low[i] = base[i]! & keep;
    high[i] = (base[i]! & keep) | (~keep & 0xff);
  }
  return { low, high };
}

/** True when `address` lies in `range` (addresses of the other IP version never do). */
export function inRange(address: Uint8Array, range: IpRange): boolean {
  if (address.length !== range.low.length) return false;
  return compareBytes(address, range.low) >= 0 && compareBytes(address, range.high) <= 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return 0;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(4);
  const parts = text.split(".");
  for (let i = 0; i < 4; i++) {
    const value = Number(parts[i]);
    if (!(value <= 255)) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const words = [...head, ...new Array<string>(8 - total).fill("0"), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const word = words[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(word)) return undefined;
    const value = parseInt(word, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  }
  // An IPv4-mapped address is that IPv4 address (as Java's InetAddress returns it).
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.slice(12);
  }
  return bytes;
}
