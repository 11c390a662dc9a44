import { apiKeyMatches } from "@freshet/core";
import type middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { UnauthorizedError } from "../errors.ts";

/**
 * Rejects a request before the handler runs unless it presents the API key, as
 * `x-api-key: <key>` or `authorization: Bearer <key>`. `expectedKey` is read lazily so the
 * secret is fetched on first use, not at import.
 */
export function apiKeyAuth(expectedKey: () => string): middy.MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: (request) => {
      const headers = request.event.headers ?? {};
      const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "")?.[1];
      const presented = headers["x-api-key"] ?? bearer;
      if (presented === undefined || presented === "") {
        throw new UnauthorizedError(401, "missing API key: send x-api-key or Authorization: Bearer");
      }
      if (!apiKeyMatches(presented, expectedKey())) {
        throw new UnauthorizedError(403, "invalid API key");
      }
    },
  };
}
