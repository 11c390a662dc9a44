import { randomUUID } from "node:crypto";
import { AwsApiError } from "./aws-api-error.ts";
import type { EndpointRequest, EndpointResponse } from "./service.ts";

/** A request or response body of a JSON-protocol operation. */
export type JsonObject = Record<string, unknown>;

/**
 * An error an AWS JSON-protocol service answers on the wire (`{"__type": code, "message": …}`,
 * 400 unless told otherwise). Only these are answered by `serveJson`: another service's
 * `AwsApiError` reaching it is a bug, left to the endpoint's 500.
 */
export class JsonApiError extends AwsApiError {
  override readonly name: string = "JsonApiError";
  constructor(code: string, message: string, options?: { status?: number; cause?: unknown }) {
    super(code, options?.status ?? 400, message, { cause: options?.cause });
  }
}

/** How one service speaks AWS's JSON protocol (Kinesis, Step Functions, EventBridge, Redshift Data API). */
export interface JsonProtocol<C> {
  /** `application/x-amz-json-1.0` (Step Functions) or `-1.1` (the others). */
  readonly contentType: string;
  readonly operations: Readonly<Record<string, (ctx: C, input: JsonObject) => unknown>>;
  /** The answer to an operation the service does not have. */
  readonly unknownOperation: (name: string) => string;
  /** The exception type and message once the service is shut down (503). */
  readonly unavailable: { readonly type: string; readonly message: string };
}

/**
 * Serves one request: finds the operation, parses the body as a JSON object, runs the operation
 * and answers its output, or the `JsonApiError` it threw, as AWS shapes them (with a request id).
 * Anything else thrown is a service bug, left to the endpoint's 500.
 */
export async function serveJson<C>(protocol: JsonProtocol<C>, ctx: C, operationName: string, req: EndpointRequest, closed: boolean): Promise<EndpointResponse> {
  const requestId = randomUUID();
  const error = (status: number, type: string, message: string): EndpointResponse => ({
    status,
    headers: { "content-type": protocol.contentType, "x-amzn-errortype": type, "x-amzn-requestid": requestId },
    body: JSON.stringify({ __type: type, message }),
  });
  const operation = Object.hasOwn(protocol.operations, operationName) ? protocol.operations[operationName] : undefined;
  if (!operation) return error(400, "UnknownOperationException", protocol.unknownOperation(operationName));
  if (closed) return error(503, protocol.unavailable.type, protocol.unavailable.message);
  let input: JsonObject;
  try {
    const parsed: unknown = req.body.length === 0 ? {} : JSON.parse(req.body.toString("utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new TypeError("not an object");
    input = parsed as JsonObject;
  } catch {
    return error(400, "SerializationException", "Request body is not a JSON object");
  }
  try {
    const output = await operation(ctx, input);
    return { status: 200, headers: { "content-type": protocol.contentType, "x-amzn-requestid": requestId }, body: JSON.stringify(output) };
  } catch (thrown) {
    if (thrown instanceof JsonApiError) return error(thrown.status, thrown.code, thrown.message);
    throw thrown;
  }
}
