import type { Template } from "../expressions/template.ts";

/**
 * How a state's own work ended, before its `Assign` and `Output` are applied. For a Choice the
 * matched rule's `Output`/`Assign` replace the state's (AWS: the state-level ones apply to the
 * Default). Task, Map and Parallel carry a `result` (`$states.result`, and the default output);
 * the other states pass their input on by default.
 */
export interface Completion {
  readonly next: string | undefined;
  readonly output: Template | undefined;
  readonly assign: Template | undefined;
  readonly result?: unknown;
}
