import type { Clock } from "../../interpreter/contract.ts";
import type { Account } from "../arns.ts";
import type { ExecutionRunner } from "../runner.ts";
import type { SfnStore } from "../store.ts";
import type { TaskTokens } from "../task-tokens.ts";
import type { DefinitionValidator } from "./definition.ts";
import type { JsonObject } from "./input.ts";

/** What every API operation works with. */
export interface SfnContext {
  readonly account: Account;
  readonly store: SfnStore;
  readonly clock: Clock;
  readonly runner: ExecutionRunner;
  readonly tokens: TaskTokens;
  readonly validate: DefinitionValidator;
}

export type Operation = (ctx: SfnContext, input: JsonObject) => object | Promise<object>;

/** Timestamps as the JSON protocol carries them: epoch seconds. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}
