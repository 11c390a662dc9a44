/**
 * Faults a test injects into statement runs, to reach paths that otherwise depend on timing
 * (a stop that cuts a statement off). None by default; the Data API never sets them itself.
 */
export interface StatementFaults {
  /**
   * Called when a BatchExecuteStatement has run all its SQL, before it commits. Return a promise
   * to hold the commit until it resolves (a cancel or a stop of the service cuts the hold short
   * and rolls the batch back; a rejection fails the batch with its error), or undefined to
   * commit at once.
   */
  readonly beforeCommit?: (batch: HeldBatch) => Promise<void> | undefined;
  /**
   * Called when a VACUUM has rewritten a table in sort-key order, before that rewrite commits.
   * Return a promise to hold the commit (the statement stays STARTED; a cancel or a stop cuts the
   * hold short and rolls the rewrite back), or undefined to commit at once.
   */
  readonly duringVacuumSort?: (vacuum: HeldVacuum) => Promise<void> | undefined;
}

/** What `duringVacuumSort` is told about the VACUUM it may hold. */
export interface HeldVacuum {
  readonly id: string;
  readonly statementName?: string;
  readonly table: string;
}

/** What `beforeCommit` is told about the batch it may hold. */
export interface HeldBatch {
  readonly id: string;
  readonly statementName?: string;
  readonly queryStrings: readonly string[];
}
