export { deployWorkflows, type DeployWorkflowsOptions } from "./workflows.ts";
export { LOCAL_WAREHOUSE, localWorkflowResources } from "./local-resources.ts";
export { WorkflowDeployError } from "./errors.ts";
export type * from "./types.ts";
