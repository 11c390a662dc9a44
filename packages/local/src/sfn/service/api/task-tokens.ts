import { SfnApiError } from "../errors.ts";
import type { SfnContext } from "./context.ts";
import { byteLength, optionalString, PAYLOAD_LIMIT_BYTES, requireString, type JsonObject } from "./input.ts";

export function sendTaskSuccess(ctx: SfnContext, input: JsonObject): object {
  const token = requireString(input, "taskToken", 2048);
  const output = requireString(input, "output", PAYLOAD_LIMIT_BYTES, 0);
  if (byteLength(output) > PAYLOAD_LIMIT_BYTES) throw new SfnApiError("InvalidOutput", "Invalid Output: the output is larger than 256 KiB");
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch (error) {
    throw new SfnApiError("InvalidOutput", `Invalid Output: '${(error as Error).message}'`);
  }
  ctx.tokens.succeed(token, parsed);
  return {};
}

export function sendTaskFailure(ctx: SfnContext, input: JsonObject): object {
  const token = requireString(input, "taskToken", 2048);
  const error = optionalString(input, "error", 256) ?? "";
  const cause = optionalString(input, "cause", 32_768) ?? "";
  ctx.tokens.fail(token, error, cause);
  return {};
}

export function sendTaskHeartbeat(ctx: SfnContext, input: JsonObject): object {
  ctx.tokens.heartbeat(requireString(input, "taskToken", 2048));
  return {};
}
