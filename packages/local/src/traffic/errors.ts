import { FreshetError } from "@freshet/core";

/** `FRESHET_INCIDENTS` is not a plan `npm start` can stage. */
export class IncidentPlanError extends FreshetError {
  override readonly name: string = "IncidentPlanError";
}
