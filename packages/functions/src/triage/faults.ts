/**
 * Test-only fault points of the triage function, to reach paths that otherwise depend on timing
 * (a crash after PutRecords, before the ledger says so). Empty in every deployed function.
 */
export interface TriageFaults {
  /** Called after the redrive records were accepted by the stream, before anything records it. */
  afterRedrive?: (deadLetterKey: string) => void | Promise<void>;
  /** Called when a triage call starts on an object, before it reads anything (to hold an execution there). */
  beforeTriage?: (deadLetterKey: string, executionName: string) => void | Promise<void>;
  /** The function's clock (claims lapse after an hour and more). */
  clock?: () => Date;
}

export const triageFaults: TriageFaults = {};
