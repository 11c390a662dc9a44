import type { WarehouseStatus } from "../platform/warehouse-status.ts";

/** One sample of the pipeline: the console's charts are drawn from consecutive samples. */
export interface PipelinePoint {
  /** Unix seconds (uPlot's x axis). */
  readonly t: number;
  readonly accepted: number;
  readonly processed: number;
  readonly loaded: number | null;
  /** Age of the newest loaded event (the `metric_freshness` view), seconds. */
  readonly freshnessSeconds: number | null;
  /** Events processed by the transformer and not loaded yet (the audit's in flight). */
  readonly inFlight: number | null;
}

export interface SeriesSource {
  counts(): { accepted: number; counts: { processed: number } };
  warehouse(): Promise<WarehouseStatus>;
}

/**
 * Samples the counters and the warehouse every `intervalMs` into a bounded window, so the page
 * can chart freshness, throughput and lag over time. The warehouse is read through the Data API
 * (an audit query a sample): sampling starts with the first page that asks and stops with the
 * server, so a platform nobody looks at runs no extra queries.
 */
export class PipelineSeries {
  readonly #points: PipelinePoint[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sampling: Promise<void> | undefined;
  #latest: WarehouseStatus | undefined;

  readonly #source: SeriesSource;
  readonly #intervalMs: number;
  readonly #capacity: number;

  constructor(source: SeriesSource, intervalMs = 2000, capacity = 450) {
    this.#source = source;
    this.#intervalMs = intervalMs;
    this.#capacity = capacity;
  }

  /** The window so far (oldest first), starting the sampler on the first call. */
  points(): readonly PipelinePoint[] {
    if (!this.#timer) {
      void this.sample();
      this.#timer = setInterval(() => void this.sample(), this.#intervalMs);
      this.#timer.unref();
    }
    return this.#points;
  }

  /** The warehouse status of the newest sample that read it. */
  latestWarehouse(): WarehouseStatus | undefined {
    return this.#latest;
  }

  /** One sample; a sample still reading the warehouse is not overlapped. */
  sample(): Promise<void> {
    this.#sampling ??= this.#read().finally(() => (this.#sampling = undefined));
    return this.#sampling;
  }

  async #read(): Promise<void> {
    const { accepted, counts } = this.#source.counts();
    const warehouse = await this.#source.warehouse().catch(() => undefined);
    if (warehouse) this.#latest = warehouse;
    this.#points.push({
      t: Date.now() / 1000,
      accepted,
      processed: counts.processed,
      loaded: warehouse?.loaded ?? null,
      freshnessSeconds: warehouse?.freshnessSeconds ?? null,
      inFlight: warehouse?.inFlight ?? null,
    });
    if (this.#points.length > this.#capacity) this.#points.splice(0, this.#points.length - this.#capacity);
  }

  stop(): Promise<void> {
    clearInterval(this.#timer);
    return this.#sampling ?? Promise.resolve();
  }
}
