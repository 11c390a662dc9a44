/** The fixed bytes an HTTP/2 client sends first (RFC 9113 §3.4). */
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** True once `seen` starts with the whole HTTP/2 connection preface. */
export function isHttp2Preface(seen: Buffer): boolean {
  return seen.length >= PREFACE.length && seen.subarray(0, PREFACE.length).equals(PREFACE);
}

/** True while `seen` is still a prefix of the preface, i.e. more bytes are needed to decide. */
export function mayBecomeHttp2Preface(seen: Buffer): boolean {
  const n = Math.min(seen.length, PREFACE.length);
  return seen.subarray(0, n).equals(PREFACE.subarray(0, n));
}
