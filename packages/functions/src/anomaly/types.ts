import type { AnomalySettings, PreparedPoint } from "@freshet/core";

/** A Data API field as Step Functions passes GetStatementResult's records (PascalCase members). */
export type DataApiField = { StringValue?: string; LongValue?: number; DoubleValue?: number; BooleanValue?: boolean; IsNull?: boolean };

export interface PrepareInput {
  readonly step: "prepare";
  readonly records: readonly (readonly DataApiField[])[];
  readonly fromMinute: number;
  readonly untilMinute: number;
  readonly settings?: Partial<AnomalySettings>;
}

/** A series without its features: what Decide needs back, small enough for the execution's state. */
export interface SeriesPoints {
  readonly metric: string;
  readonly dimension: string;
  readonly points: readonly PreparedPoint[];
}

export interface PrepareOutput {
  readonly series: readonly SeriesPoints[];
  /** Every point's shingled features, one CSV line each, in series order: the InvokeEndpoint body. */
  readonly csv: string;
  readonly points: number;
}

export interface DecideInput {
  readonly step: "decide";
  readonly series: readonly SeriesPoints[];
  /** InvokeEndpoint's response body: `{"scores":[{"score":x},…]}`, as text (or already parsed). */
  readonly body: unknown;
  readonly detectedAt: string;
  readonly executionId?: string;
  readonly dashboardUrl?: string;
  readonly settings?: Partial<AnomalySettings>;
}

/** One SNS message (and event) per decision. */
export interface AnomalyAlert {
  readonly subject: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface DecideOutput {
  readonly alerts: readonly AnomalyAlert[];
  /** The `anomalies` INSERT, or null when nothing was alerted. */
  readonly insertSql: string | null;
  readonly decided: number;
}
