/** How the mapping reads what the handler returned for a batch. */
export type BatchVerdict =
  | { readonly kind: "success" }
  /** Records before `firstFailedIndex` succeeded; processing resumes at it. */
  | { readonly kind: "partial"; readonly firstFailedIndex: number }
  /** The response names no valid record: Lambda fails the whole batch. */
  | { readonly kind: "invalid"; readonly reason: string };

/**
 * Applies Lambda's rules for `ReportBatchItemFailures` on streams: a null or empty response or
 * failure list is success; failures checkpoint at the lowest failed sequence number; an
 * `itemIdentifier` that is null, empty or not in the batch fails the whole batch. Without
 * `ReportBatchItemFailures` the return value is ignored.
 */
export function judgeBatchResponse(
  response: unknown,
  sequenceNumbers: readonly string[],
  reportBatchItemFailures: boolean,
): BatchVerdict {
  if (!reportBatchItemFailures || response === null || response === undefined || typeof response !== "object") {
    return { kind: "success" };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { kind: "success" };
  if (!Array.isArray(failures)) return { kind: "invalid", reason: "batchItemFailures is not a list" };
  if (failures.length === 0) return { kind: "success" };
  const positions = new Map(sequenceNumbers.map((sequenceNumber, index) => [sequenceNumber, index]));
  let lowest = Infinity;
  for (const failure of failures) {
    const id = typeof failure === "object" && failure !== null ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== "string" || id === "") return { kind: "invalid", reason: "an itemIdentifier is null or empty" };
    const index = positions.get(id);
    if (index === undefined) return { kind: "invalid", reason: `itemIdentifier ${id} is not a sequence number of the batch` };
    lowest = Math.min(lowest, index);
  }
  return { kind: "partial", firstFailedIndex: lowest };
}
