import type { EndpointRequest } from "./service.ts";

const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/**
 * The service a request was signed for, from SigV4's credential scope
 * (`Credential=AKID/20261126/us-east-1/<service>/aws4_request`): `s3`, `kinesis`, `states`,
 * `events`, `scheduler`, `sns`, … Every SDK client signs with its service's name, so this routes
 * REST protocols (S3, Scheduler) that share paths unambiguously.
 */
export function signingService(req: EndpointRequest): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === "string" ? CREDENTIAL_SCOPE.exec(header) : null;
  if (match) return match[2];
  const query = req.query.get("X-Amz-Credential"); // presigned URLs
  return query?.split("/")[3];
}

/** The JSON-protocol operation named by `X-Amz-Target` (`AWSStepFunctions.StartExecution` → prefix, op). */
export function amzTarget(req: EndpointRequest): { prefix: string; operation: string } | undefined {
  const target = req.headers["x-amz-target"];
  if (typeof target !== "string") return undefined;
  const dot = target.lastIndexOf(".");
  return dot === -1 ? undefined : { prefix: target.slice(0, dot), operation: target.slice(dot + 1) };
}
