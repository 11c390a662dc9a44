export { RandomCutForest, trainForest, type ForestOptions, type ForestState, type TreeState } from "./forest.ts";
export { Shingle } from "./shingle.ts";
export { InvalidForestOptionsError, InvalidPointError, InvalidForestStateError } from "./errors.ts";
