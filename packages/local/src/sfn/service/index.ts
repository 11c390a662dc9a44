export {
  createStepFunctionsService,
  type StepFunctionsService,
  type StepFunctionsServiceOptions,
  type ExecutionOutcome,
  type Interpreter,
} from "./service.ts";
export type { LambdaHandler, LambdaRegistry, LocalLambdaFunction } from "./integrations/lambda.ts";
export type { DefinitionIssue, DefinitionValidator } from "./api/definition.ts";
export { ExecutionStopped, ServiceShutdown } from "./runner.ts";
export { SfnApiError, SfnStorageError } from "./errors.ts";
