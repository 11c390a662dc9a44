import type { KinesisFaults } from "../kinesis/index.ts";
import type { StatementFaults } from "../redshift/index.ts";
import type { Clock } from "../sfn/index.ts";
import type { DataApiFaults } from "./data-api.ts";
import type { LakeFaults } from "./lake.ts";

/** Faults a test injects, by service, to reach paths that otherwise depend on timing or luck. */
export interface LocalFaults {
  /** Inside statement runs: a batch held before its commit, a VACUUM mid-sort. */
  readonly redshift?: StatementFaults;
  /** At the Data API's door: calls held, answers lost. */
  readonly dataApi?: DataApiFaults;
  /** The lake's S3 API: failed or unfinished writes, partial listings, a skewed clock. */
  readonly lake?: LakeFaults;
  /** Kinesis: throttled PutRecords entries and GetRecords calls. */
  readonly stream?: KinesisFaults;
  /**
   * Step Functions' time (Wait states, retry intervals, `$millis()`): a `VirtualClock` lets a
   * workflow poll for half an hour in a second. Fixed at start; not switchable.
   */
  readonly clock?: Clock;
}

/** The faults a `FaultSwitch` can change between tests. */
export type SwitchableFaults = Omit<LocalFaults, "clock">;

/**
 * Faults switchable per test on one running platform: start it with `faults.local`, then `use`
 * what a test needs and `clear` after it. Every hook reads the faults in use when it is called.
 */
export class FaultSwitch {
  #current: SwitchableFaults = {};
  readonly local: LocalFaults;

  constructor(options: { clock?: Clock } = {}) {
    const now = () => this.#current;
    this.local = {
      redshift: {
        beforeCommit: (batch) => now().redshift?.beforeCommit?.(batch),
        duringVacuumSort: (vacuum) => now().redshift?.duringVacuumSort?.(vacuum),
      },
      dataApi: {
        beforeCall: (call) => now().dataApi?.beforeCall?.(call),
        loseAnswer: (call, output) => now().dataApi?.loseAnswer?.(call, output) ?? false,
      },
      lake: {
        putObject: (key) => now().lake?.putObject?.(key),
        objectStored: (key) => now().lake?.objectStored?.(key),
        hideFromListing: (key) => now().lake?.hideFromListing?.(key) ?? false,
        listedClockSkewMs: (key) => now().lake?.listedClockSkewMs?.(key) ?? 0,
      },
      stream: {
        putRecord: (stream, partitionKey, index) => now().stream?.putRecord?.(stream, partitionKey, index) ?? false,
        getRecords: (stream, shardId) => now().stream?.getRecords?.(stream, shardId) ?? false,
      },
      ...(options.clock ? { clock: options.clock } : {}),
    };
  }

  use(faults: SwitchableFaults): void {
    this.#current = faults;
  }

  clear(): void {
    this.#current = {};
  }
}
