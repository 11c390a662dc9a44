import { StatesFailure } from "../errors.ts";

/** AWS's quota on a state's input, output and task result: 256 KiB of UTF-8 JSON. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * The JSON text of a state's output or a task's result, or `States.DataLimitExceeded` (AWS's
 * wording) when it is over the quota: what fails in AWS must not pass locally.
 */
export function payloadText(value: unknown, producer: string): string {
  const text = JSON.stringify(value ?? null);
  if (text.length > MAX_PAYLOAD_BYTES / 4 && Buffer.byteLength(text, "utf8") > MAX_PAYLOAD_BYTES) {
    throw new StatesFailure("States.DataLimitExceeded", `The state/task '${producer}' returned a result with a size exceeding the maximum number of bytes service limit.`);
  }
  return text;
}
