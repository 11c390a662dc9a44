import { invalidParameter, SnsApiError } from "./errors.ts";
import type { SubscriptionProtocol } from "./store.ts";

/** Protocols AWS accepts that have no local delivery: refused with a message saying what to use. */
const NOT_DELIVERED_LOCALLY = new Set(["sms", "sqs", "application", "lambda", "firehose"]);

const LOOPBACK_HOSTS = new Set(["localhost", "[::1]"]);

/** Whether a URL's host is this machine: 127.0.0.0/8, ::1 or `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Validates Subscribe's protocol and endpoint for local delivery and returns them normalised.
 * `http`/`https` must be URLs of that scheme on loopback (the local service never calls out of the
 * machine); `log` takes an optional label; `email`/`email-json` are recorded but stay pending.
 */
export function checkEndpoint(protocol: string, endpoint: string | undefined): { protocol: SubscriptionProtocol; endpoint: string } {
  if (protocol === "sink") {
    throw invalidParameter("Protocol", "every local topic already writes each message to its sink file; no subscription is needed");
  }
  if (NOT_DELIVERED_LOCALLY.has(protocol)) {
    throw invalidParameter("Protocol", `the local SNS service does not deliver to ${protocol}; subscribe an http(s) endpoint on loopback or use the log protocol`);
  }
  if (protocol === "log") return { protocol, endpoint: endpoint ?? "" };
  if (protocol !== "http" && protocol !== "https" && protocol !== "email" && protocol !== "email-json") {
    throw new SnsApiError("InvalidParameter", `Invalid parameter: Amazon SNS does not support this protocol string: ${protocol}`);
  }
  if (endpoint === undefined || endpoint === "") throw new SnsApiError("NotFound", "Endpoint not specified in subscription");
  if (protocol === "email" || protocol === "email-json") {
    if (!/^[^@\s]+@[^@\s]+$/.test(endpoint)) throw invalidParameter("Email address");
    return { protocol, endpoint };
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalidParameter("Endpoint must match the specified protocol");
  }
  if (url.protocol !== `${protocol}:`) throw invalidParameter("Endpoint must match the specified protocol");
  if (!isLoopbackHost(url.hostname)) {
    throw invalidParameter("Endpoint", `the local SNS service delivers only to loopback hosts (127.0.0.1, localhost, ::1), not ${url.hostname}`);
  }
  return { protocol, endpoint };
}
