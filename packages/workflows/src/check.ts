import { WorkflowDescriptionError } from "./errors.ts";
import { assertPascalCase } from "./naming.ts";
import type { WorkflowDescription } from "./types.ts";

/**
 * Refuses descriptions that would collide once deployed: workflow names unique, schedule and rule
 * names unique within their workflow, all PascalCase. `stacks/` and the local deployment both
 * call it first, so a bad description fails before anything is created.
 */
export function checkWorkflows(workflows: readonly WorkflowDescription[]): void {
  const names = new Set<string>();
  for (const workflow of workflows) {
    assertPascalCase(workflow.name, "workflow");
    if (names.has(workflow.name)) throw new WorkflowDescriptionError(workflow.name, "the name is used twice");
    names.add(workflow.name);
    const triggers = new Set<string>();
    for (const { name } of [...workflow.schedules, ...workflow.rules]) {
      assertPascalCase(name, "schedule and rule");
      if (triggers.has(name)) throw new WorkflowDescriptionError(workflow.name, `schedule/rule name ${name} is used twice`);
      triggers.add(name);
    }
  }
}
