import { FreshetError, type HttpError } from "../errors.ts";

/** Why a metrics API request was refused: the `reason` of its answer, stable for scripts. */
export type MetricsQueryReason =
  | "unknown_view"
  | "unknown_parameter"
  | "unsupported_parameter"
  | "invalid_timestamp"
  | "empty_range"
  | "range_too_long"
  | "invalid_bucket"
  | "unsupported_bucket"
  | "invalid_string"
  | "invalid_limit";

/**
 * A metrics API request whose view or parameters cannot be answered: 400 with its `reason` and
 * the parameter at fault (404 for a view that does not exist). Nothing reaches the warehouse.
 */
export class MetricsQueryError extends FreshetError implements HttpError {
  override readonly name = "MetricsQueryError";
  readonly expose = true;
  readonly reason: MetricsQueryReason;
  readonly parameter: string | undefined;
  constructor(reason: MetricsQueryReason, parameter: string | undefined, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
    this.parameter = parameter;
  }

  get statusCode(): 400 | 404 {
    return this.reason === "unknown_view" ? 404 : 400;
  }

  get responseBody() {
    return { message: this.message, reason: this.reason, ...(this.parameter === undefined ? {} : { parameter: this.parameter }) };
  }
}
