import { KinesisApiError, invalidArgument } from "./errors.ts";

/** ListShards tokens expire after 300 seconds in AWS; the same bound is used for ListStreams. */
export const NEXT_TOKEN_LIFETIME_MS = 300_000;

interface TokenBody {
  readonly kind: string;
  readonly scope: string;
  readonly after: string;
  readonly issuedMs: number;
}

/** A pagination token: which listing (`kind`, `scope`) it continues and the last item returned. */
export function encodeNextToken(kind: string, scope: string, after: string, issuedMs: number): string {
  const body: TokenBody = { kind, scope, after, issuedMs };
  return Buffer.from(JSON.stringify(body), "utf8").toString("base64");
}

/** The `scope` and `after` a token carries; InvalidArgument if foreign, ExpiredNextToken if old. */
export function decodeNextToken(kind: string, token: string, nowMs: number): { scope: string; after: string } {
  let body: Partial<TokenBody> | undefined;
  try {
    body = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as Partial<TokenBody>;
  } catch {
    body = undefined;
  }
  if (
    !body ||
    body.kind !== kind ||
    typeof body.scope !== "string" ||
    typeof body.after !== "string" ||
    typeof body.issuedMs !== "number"
  ) {
    throw invalidArgument(`Invalid NextToken: ${token}`);
  }
  if (nowMs - body.issuedMs > NEXT_TOKEN_LIFETIME_MS) {
    throw new KinesisApiError("ExpiredNextTokenException", `The NextToken ${token} has expired.`);
  }
  return { scope: body.scope, after: body.after };
}
