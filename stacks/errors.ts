import { FreshetError } from "@freshet/core";

/** A stage's settings are inconsistent (e.g. raw/ would expire before it reaches Deep Archive). */
export class StageConfigError extends FreshetError {
  override readonly name = "StageConfigError";
  readonly stage: string;

  constructor(stage: string, message: string, options?: { cause?: unknown }) {
    super(`Stage "${stage}": ${message}`, options);
    this.stage = stage;
  }
}

/** A workflow description and the stack disagree (e.g. it reads Data API statements but has no database roles). */
export class WorkflowPermissionError extends FreshetError {
  override readonly name = "WorkflowPermissionError";
}
