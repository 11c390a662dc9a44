import { MalformedBodyError, PayloadTooLargeError } from "@freshet/core";
import type { Logger } from "@aws-lambda-powertools/logger";
import type middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { StreamWriteError, UnauthorizedError } from "../errors.ts";

/**
 * Maps Freshet's typed errors to HTTP answers with a machine-readable `error` code. Anything
 * unexpected becomes a 500 without internals in the body (they go to the log).
 */
export function httpErrors(
  logger: Logger,
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof UnauthorizedError) {
        request.response = json(error.statusCode, { error: error.statusCode === 401 ? "unauthorized" : "forbidden", message: error.message });
      } else if (error instanceof MalformedBodyError) {
        request.response = json(400, { error: error.reason, message: error.message });
      } else if (error instanceof PayloadTooLargeError) {
        request.response = json(413, { error: "payload_too_large", limit: error.limit, max: error.maxAllowed, message: error.message });
      } else if (error instanceof StreamWriteError) {
        logger.error("records not accepted by the stream", { error });
        request.response = json(503, {
          error: "stream_unavailable",
          message: error.message,
          accepted: error.accepted,
          failed_indexes: error.failedIndexes,
        });
      } else {
        logger.error("unexpected ingest failure", { error });
        request.response = json(500, { error: "internal_error", message: "internal error" });
      }
    },
  };
}

export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}
