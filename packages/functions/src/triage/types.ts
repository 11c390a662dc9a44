/** What the DeadLetterTriage workflow passes its triage function, step by step. */

export interface FindInput {
  readonly step: "find";
  /** Only dead letters of this reason (`schema_violation`, …); all when absent. */
  readonly reason?: string;
  /** Bound of this execution; the function's configured bound when absent. */
  readonly maxObjects?: number;
  /** The execution the found objects are claimed for (none: nothing is claimed). */
  readonly executionName?: string;
  /** The hourly sweep or `freshet dlq redrive`: lists the configured look-back, not just since yesterday. */
  readonly sweep?: boolean;
  /** Days before today to list, overriding the sweep's configured look-back (an operator reaching further). */
  readonly lookbackDays?: number;
  /** Claims nothing and moves no watermark. */
  readonly dryRun?: boolean;
  /** Step Functions' retries of the Find state plus redrives of the execution (> 0: claims of this execution may exist). */
  readonly attempt?: number;
}

export interface FoundObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: string;
}

export interface FindResult {
  /** Oldest first, at most the bound. */
  readonly objects: readonly FoundObject[];
  /** Unhandled objects (matching the filter) in all: those returned plus those deferred. */
  readonly unhandled: number;
  /** Beyond the bound: left for the next execution. */
  readonly deferred: number;
  /** Oldest `LastModified` among the deferred, or null when none is. */
  readonly oldestDeferredAt: string | null;
  /** Claimed by another live execution: left to it. */
  readonly inProgress: number;
  /** The first `dt=` day listed (null: all of them). */
  readonly listedFrom: string | null;
  /** The watermark after this Find (the oldest day with an object not done). */
  readonly watermark: string | null;
}

export interface TriageObjectInput {
  readonly step: "triage";
  readonly key: string;
  readonly executionName: string;
  /** Classify and repair, write nothing, redrive nothing. */
  readonly dryRun?: boolean;
}

export interface ReasonCounts {
  letters: number;
  repaired: number;
  quarantined: number;
}

/** What triaging one dead-letter object did; small, because the Map collects one per object. */
export interface ObjectTriage {
  readonly key: string;
  /** Already in the ledger: nothing was done again. */
  readonly alreadyTriaged: boolean;
  readonly letters: number;
  readonly repaired: number;
  /** Records this call put on the stream (0 when a previous call already had, or a dry run). */
  readonly redriven: number;
  readonly quarantined: number;
  readonly byReason: Readonly<Record<string, ReasonCounts>>;
  readonly bySource: Readonly<Record<string, number>>;
  /** `<rule>@<version>` → events it repaired. */
  readonly byRule: Readonly<Record<string, number>>;
  /** Why the whole object was quarantined unread, if it was. */
  readonly unreadable: string | null;
  /** Oldest arrival in the stream among its letters. */
  readonly oldestArrival: string | null;
}

export interface SummarizeInput {
  readonly step: "summarize";
  readonly executionName: string;
  readonly startedAt: string;
  readonly reason?: string | null;
  readonly dryRun?: boolean;
  readonly found: FindResult;
  readonly results: readonly ObjectTriage[];
}

export interface TriageSummary {
  readonly executionName: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly reasonFilter: string | null;
  readonly dryRun: boolean;
  readonly objects: number;
  readonly alreadyTriaged: number;
  readonly unreadableObjects: number;
  readonly letters: number;
  readonly repaired: number;
  readonly redriven: number;
  readonly quarantined: number;
  readonly byReason: Readonly<Record<string, ReasonCounts>>;
  /** The most frequent sources (stream partition keys), at most `TOP_SOURCES`. */
  readonly bySource: Readonly<Record<string, number>>;
  readonly byRule: Readonly<Record<string, number>>;
  /** Objects left for the next execution, and the oldest of them. */
  readonly deferred: number;
  readonly oldestUnhandledAt: string | null;
  /** Where the summary was written (null for a dry run, which writes nothing). */
  readonly summaryKey: string | null;
  /** Quarantined at or above the configured threshold: OpsAlerts is told. */
  readonly alert: boolean;
  readonly alertThreshold: number;
}

export type TriageStepInput = FindInput | TriageObjectInput | SummarizeInput;
