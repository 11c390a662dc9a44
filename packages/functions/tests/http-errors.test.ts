import type { Logger } from "@aws-lambda-powertools/logger";
import { FreshetError, MalformedBodyError, PayloadTooLargeError } from "@freshet/core";
import type middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { StreamWriteError, UnauthorizedError } from "../src/errors.ts";
import { httpErrors } from "../src/middleware/http-errors.ts";

/** The ingest edge's answers to failures, byte for byte: status, headers and JSON body. */
type Request = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

function answer(error: unknown): { response: Request["response"]; logged: unknown[][] } {
  const log = vi.fn();
  const request = { event: {}, context: {}, response: undefined, error, internal: {} } as unknown as Request;
  void httpErrors({ error: log } as unknown as Logger).onError!(request);
  return { response: request.response, logged: log.mock.calls };
}

function jsonAnswer(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { "content-type": "application/json" }, body };
}

describe("httpErrors", () => {
  it("answers a missing key 401 and a wrong one 403", () => {
    expect(answer(new UnauthorizedError(401, "missing API key")).response).toEqual(
      jsonAnswer(401, '{"error":"unauthorized","message":"missing API key"}'),
    );
    expect(answer(new UnauthorizedError(403, "invalid API key")).response).toEqual(jsonAnswer(403, '{"error":"forbidden","message":"invalid API key"}'));
  });

  it("answers a malformed body 400 with its reason, and a payload over a limit 413", () => {
    expect(answer(new MalformedBodyError("malformed_json", "the body is not valid JSON")).response).toEqual(
      jsonAnswer(400, '{"error":"malformed_json","message":"the body is not valid JSON"}'),
    );
    expect(answer(new PayloadTooLargeError("event", 1024, "event 3 is 2048 bytes")).response).toEqual(
      jsonAnswer(413, '{"error":"payload_too_large","limit":"event","max":1024,"message":"event 3 is 2048 bytes"}'),
    );
  });

  it("answers a stream failure 503 with what was accepted and what was not, and logs it", () => {
    const error = new StreamWriteError(2, [1, 4], "2 of 4 events were not accepted by the stream after 5 attempts");
    const { response, logged } = answer(error);
    expect(response).toEqual(
      jsonAnswer(503, '{"error":"stream_unavailable","message":"2 of 4 events were not accepted by the stream after 5 attempts","accepted":2,"failed_indexes":[1,4]}'),
    );
    expect(logged).toEqual([["records not accepted by the stream", { error }]]);
  });

  it("does not log a client's mistake", () => {
    expect(answer(new UnauthorizedError(403, "invalid API key")).logged).toEqual([]);
  });

  it("answers anything else a bare 500 and logs it, internals kept out of the body", () => {
    for (const error of [
      new Error("connect ECONNREFUSED 10.0.0.1"),
      new FreshetError("an unexpected domain failure"),
      Object.assign(new Error("secret detail"), { statusCode: 400, expose: false, responseBody: { leak: true } }),
      "a thrown string",
    ]) {
      const { response, logged } = answer(error);
      expect(response).toEqual(jsonAnswer(500, '{"error":"internal_error","message":"internal error"}'));
      expect(logged).toEqual([["unexpected ingest failure", { error }]]);
    }
  });
});
