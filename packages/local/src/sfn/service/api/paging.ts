import { invalidToken } from "../errors.ts";

/**
 * Opaque `nextToken`s: the position after the last item returned, tagged with what was listed,
 * so a token cannot be replayed against another listing (AWS answers `InvalidToken` then).
 */
export function encodeToken(scope: string, position: unknown): string {
  return Buffer.from(JSON.stringify({ s: scope, p: position })).toString("base64url");
}

export function decodeToken<T>(scope: string, token: string | undefined): T | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { s?: unknown; p?: unknown };
    if (parsed.s === scope && parsed.p !== undefined) return parsed.p as T;
  } catch {
    // falls through to InvalidToken
  }
  throw invalidToken(`Invalid Token: '${token}'`);
}

/** AWS's page size rules: 0 or absent means the default (100), at most 1000. */
export function pageSize(maxResults: number | undefined): number {
  return maxResults === undefined || maxResults === 0 ? 100 : maxResults;
}
