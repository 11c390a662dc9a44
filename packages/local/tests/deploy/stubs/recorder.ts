import { AwsApiError } from "../../../src/endpoint/aws-api-error.ts";
import type { EndpointResponse } from "../../../src/endpoint/service.ts";

/** One API call a stub received: its operation and parsed input. */
export interface RecordedCall {
  readonly operation: string;
  readonly input: Record<string, any>;
}

/** An AWS error as the stubs throw it; each stub renders it in its protocol's shape. */
export class StubApiError extends AwsApiError {
  override readonly name = "StubApiError";

  constructor(code: string, message: string, status = 400) {
    super(code, status, message);
  }
}

export function json(status: number, body: unknown, contentType: string): EndpointResponse {
  return { status, headers: { "content-type": contentType }, body: JSON.stringify(body) };
}

/** Names of the calls that change something, in order: what an idempotence check looks at. */
export function mutations(calls: readonly RecordedCall[]): string[] {
  return calls.map((c) => c.operation).filter((op) => !/^(Get|List|Describe)/.test(op));
}
