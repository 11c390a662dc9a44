import { FreshetError } from "@freshet/core";

/** A workflow, schedule or rule name that AWS would reject (characters or length). */
export class WorkflowNameError extends FreshetError {
  override readonly name = "WorkflowNameError";
  readonly value: string;

  constructor(value: string, message: string, options?: { cause?: unknown }) {
    super(`"${value}": ${message}`, options);
    this.value = value;
  }
}

/** A workflow description that cannot be deployed as written (duplicate names, bad shapes). */
export class WorkflowDescriptionError extends FreshetError {
  override readonly name = "WorkflowDescriptionError";
  readonly workflow: string;

  constructor(workflow: string, message: string, options?: { cause?: unknown }) {
    super(`Workflow ${workflow}: ${message}`, options);
    this.workflow = workflow;
  }
}
