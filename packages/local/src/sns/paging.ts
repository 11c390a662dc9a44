import { invalidParameter } from "./errors.ts";

/** SNS lists 100 topics or subscriptions per page. */
export const PAGE_SIZE = 100;

/**
 * One page of `items` (sorted by `key`) after the position `nextToken` names. The token is the
 * last key returned, encoded: a page stays correct when items before or after it are deleted
 * between calls, which an offset would not.
 */
export function page<T>(
  items: readonly T[],
  key: (item: T) => string,
  nextToken: string | undefined,
): { items: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const after = decodeToken(nextToken);
    start = items.findIndex((item) => key(item) > after);
    if (start === -1) start = items.length;
  }
  const slice = items.slice(start, start + PAGE_SIZE);
  const more = start + PAGE_SIZE < items.length;
  return more ? { items: slice, nextToken: encodeToken(key(slice[slice.length - 1]!)) } : { items: slice };
}

function encodeToken(key: string): string {
  return Buffer.from(`v1:${key}`, "utf8").toString("base64url");
}

function decodeToken(token: string): string {
  const text = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, "base64url").toString("utf8") : "";
  if (!text.startsWith("v1:arn:")) throw invalidParameter("NextToken");
  return text.slice(3);
}
