import type { S3Client } from "@aws-sdk/client-s3";
import { LOAD_PLANNER_STATE_KEY } from "@freshet/core";
import { putJson, readTextIfExists } from "./s3-objects.ts";

/** Where the planner keeps its receipts watermark (core's, so that the stacks can grant listing it). */
export const PLANNER_STATE_KEY = LOAD_PLANNER_STATE_KEY;

interface PlannerState {
  /** Oldest arrival hour (`YYYY-MM-DDTHH`) that may hold a receipt no load has recorded. */
  readonly receiptsFrom: string;
}

/** The oldest arrival hour that may hold an unrecorded receipt, or undefined when none is kept (or it is unreadable). */
export async function readWatermark(s3: S3Client, bucket: string): Promise<string | undefined> {
  // No state yet (or unreadable): the caller starts from the lateness floor; the hourly listing covers the rest.
  const text = await readTextIfExists(s3, bucket, PLANNER_STATE_KEY);
  if (text === undefined) return undefined;
  let parsed: Partial<PlannerState>;
  try {
    parsed = JSON.parse(text) as Partial<PlannerState>;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  return typeof parsed.receiptsFrom === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}$/.test(parsed.receiptsFrom) ? parsed.receiptsFrom : undefined;
}

export async function writeWatermark(s3: S3Client, bucket: string, receiptsFrom: string): Promise<void> {
  const state: PlannerState = { receiptsFrom };
  await putJson(s3, bucket, PLANNER_STATE_KEY, state);
}
