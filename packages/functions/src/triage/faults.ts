/**
 * Test-only fault points of the triage function, to reach paths that otherwise depend on timing
 * (a crash after PutRecords, before the ledger says so). Empty in every deployed function.
 */
export interface TriageFaults {
  /** Called after the redrive records were accepted by the stream, before anything records it. */
  afterRedrive?: (deadLetterKey: string) => void | Promise<void>;
}

export const triageFaults: TriageFaults = {};
