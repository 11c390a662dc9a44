import type { HttpError } from "@freshet/core";
import type { Logger } from "@aws-lambda-powertools/logger";
import type middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/**
 * Answers a failed request the way middy's `http-error-handler` does: an error that carries a
 * `statusCode` and `expose` (core's `HttpError`) is answered as itself, with its JSON
 * `responseBody`; anything else becomes a 500 without internals in the body (they go to the log).
 * middy's own handler is not used: it answers with the error's `message` as the body under a
 * `Content-Type` header, where Freshet answers a JSON object under `content-type`.
 */
export function httpErrors(
  logger: Logger,
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const error = request.error;
      if (!isExposedHttpError(error)) {
        logger.error("unexpected ingest failure", { error });
        request.response = json(500, { error: "internal_error", message: "internal error" });
        return;
      }
      // A client's mistake is the client's to read; a server error the operator's too.
      if (error.statusCode >= 500) logger.error(error.logMessage ?? "ingest request failed", { error });
      request.response = json(error.statusCode, error.responseBody);
    },
  };
}

export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/** Duck-typed like middy's: any error with a numeric `statusCode`, `expose: true` and a body object. */
function isExposedHttpError(error: unknown): error is HttpError {
  if (error === null || typeof error !== "object") return false;
  const { statusCode, expose, responseBody } = error as Partial<HttpError>;
  return typeof statusCode === "number" && expose === true && typeof responseBody === "object" && responseBody !== null;
}
