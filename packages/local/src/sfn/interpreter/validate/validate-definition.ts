import { compileDefinition } from "../definition/compile-machine.ts";
import { isRecord } from "../definition/field-reader.ts";
import type { DefinitionProblem } from "../definition/types.ts";
import { aslValidatorProblems } from "./asl-validator-check.ts";

/**
 * Everything wrong with a definition, for CreateStateMachine/UpdateStateMachine: asl-validator's
 * schema checks first, then Freshet's own (which also cover what asl-validator misses: unreachable
 * states, missing targets, bad JitterStrategy, JSONata syntax, JSONPath fields in JSONata states,
 * features the local runtime does not have). Empty means the interpreter can run it.
 */
export function validateDefinition(definition: unknown): DefinitionProblem[] {
  const schema = isRecord(definition) ? aslValidatorProblems(definition) : [];
  const { problems } = compileDefinition(definition);
  return [...schema, ...problems];
}
