import { RESPONSE_HEADERS } from "./sdk-clients.ts";

/** The casing AWS's Java SDK shows for the headers Step Functions reports. */
const CANONICAL: Readonly<Record<string, string>> = {
  "content-length": "Content-Length",
  "content-type": "Content-Type",
  date: "Date",
  "x-amzn-requestid": "x-amzn-RequestId",
  "x-amz-executed-version": "X-Amz-Executed-Version",
};

export interface SdkMetadata {
  readonly SdkHttpMetadata: {
    readonly AllHttpHeaders: Record<string, string[]>;
    readonly HttpHeaders: Record<string, string>;
    readonly HttpStatusCode: number;
  };
  readonly SdkResponseMetadata: { readonly RequestId: string };
}

/** The HTTP metadata optimized integrations (lambda:invoke, sns:publish, states:startExecution) add to results. */
export function sdkMetadata(headers: Readonly<Record<string, string>>, statusCode: number, requestId: string): SdkMetadata {
  const all: Record<string, string[]> = {};
  const single: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = CANONICAL[name.toLowerCase()] ?? name;
    all[key] = [value];
    single[key] = value;
  }
  return {
    SdkHttpMetadata: { AllHttpHeaders: all, HttpHeaders: single, HttpStatusCode: statusCode },
    SdkResponseMetadata: { RequestId: requestId },
  };
}

/** The metadata of a real SDK call, from the headers the client kept on its output. */
export function metadataOf(output: Record<string, unknown>): SdkMetadata {
  const meta = (output.$metadata ?? {}) as { httpStatusCode?: number; requestId?: string };
  const headers = ((output as Record<symbol, unknown>)[RESPONSE_HEADERS] ?? {}) as Record<string, string>;
  return sdkMetadata(headers, meta.httpStatusCode ?? 200, meta.requestId ?? "");
}

/** An SDK output without `$metadata`. */
export function withoutMetadata(output: Record<string, unknown>): Record<string, unknown> {
  const { $metadata: _, ...rest } = output;
  return rest;
}
