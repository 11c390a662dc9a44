import { FreshetError } from "@freshet/core";

/** A workflow could not be deployed to the endpoint: which one, which step, and the AWS error. */
export class WorkflowDeployError extends FreshetError {
  override readonly name = "WorkflowDeployError";
  readonly workflow: string;

  constructor(workflow: string, message: string, options?: ErrorOptions) {
    super(`${workflow}: ${message}${describeCause(options?.cause)}`, options);
    this.workflow = workflow;
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return ` (${cause.name}: ${cause.message})`;
  return cause === undefined ? "" : ` (${String(cause)})`;
}
