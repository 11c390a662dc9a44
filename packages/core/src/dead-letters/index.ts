export * from "./errors.ts";
export { type RepairRule } from "./repair-rule.ts";
export { REPAIR_RULES } from "./rules/index.ts";
export { classifyDeadLetter, readOriginal, type DeadLetterClass, type ReadOriginal } from "./classify.ts";
export { triageDeadLetter, type TriageOutcome } from "./triage.ts";
export { parseDeadLetter } from "./read-dead-letter.ts";
export {
  REDRIVE_PARTITION_PREFIX,
  isRedrivePartitionKey,
  openRedrive,
  redriveRecordOf,
  redrivenBy,
  type OpenedRedrive,
  type RedriveEnvelope,
  type RedriveMarker,
  type RedriveRecord,
} from "./redrive.ts";
