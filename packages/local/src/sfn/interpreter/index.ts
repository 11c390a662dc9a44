/**
 * Freshet's Step Functions interpreter for JSONata ASL: validates definitions the way
 * CreateStateMachine must, runs executions the way AWS does, reports AWS history events.
 * The service in `../service/` drives it through the contract in `contract.ts`.
 */
export { runExecution } from "./run/run-execution.ts";
export { validateDefinition } from "./validate/validate-definition.ts";
export { realClock, VirtualClock } from "./clock.ts";
export { InterpreterError, InvalidDefinitionError } from "./errors.ts";
export type { DefinitionProblem } from "./definition/types.ts";
export { TaskFailure } from "./contract.ts";
export type {
  Clock,
  ContextObject,
  ExecutionResult,
  ExecutionStatus,
  HistoryEvent,
  ResumePoint,
  RunOptions,
  TaskInvocation,
  TaskInvoker,
} from "./contract.ts";
