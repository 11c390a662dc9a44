import { RandomCutForest, type ForestState } from "@freshet/core";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SageMakerModelError, SageMakerValidationError } from "./errors.ts";

/**
 * The local endpoints' models on disk, one file per endpoint:
 * `<dataDir>/sagemaker/endpoints/<EndpointName>.json` =
 * `{ "algorithm": "randomcutforest", "featureDim": n, "forest": ForestState }`.
 * A restarted endpoint serves the same models; a retrained one is picked up on the next request.
 */
export interface ModelFile {
  readonly algorithm: "randomcutforest";
  readonly featureDim: number;
  readonly forest: ForestState;
}

/** A model ready to score: the forest is never updated (SageMaker's inference is static). */
export interface LoadedModel {
  readonly featureDim: number;
  readonly forest: RandomCutForest;
}

// SageMaker's pattern for EndpointName; it also keeps names from escaping the models' folder.
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

export function endpointsDir(dataDir: string): string {
  return join(dataDir, "sagemaker", "endpoints");
}

export function modelPath(dataDir: string, endpointName: string): string {
  if (!ENDPOINT_NAME.test(endpointName)) {
    throw new SageMakerValidationError(
      `1 validation error detected: Value '${endpointName}' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`,
    );
  }
  return join(endpointsDir(dataDir), `${endpointName}.json`);
}

/**
 * Registers `forest` as the model behind the local endpoint `endpointName` (what creating a model,
 * an endpoint configuration and updating the endpoint do in AWS); it scores points of the
 * forest's dimensions (already shingled). Written whole, then renamed, so a request never reads
 * half a model.
 */
export function registerLocalModel(dataDir: string, endpointName: string, forest: RandomCutForest): string {
  const path = modelPath(dataDir, endpointName);
  const state = forest.toJSON();
  const file: ModelFile = { algorithm: "randomcutforest", featureDim: state.dimensions, forest: state };
  mkdirSync(endpointsDir(dataDir), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(file));
  renameSync(temporary, path);
  return path;
}

/** Reads each endpoint's model once and again only when its file changes. */
export class ModelRegistry {
  readonly #dataDir: string;
  readonly #region: string;
  readonly #accountId: string;
  readonly #cache = new Map<string, { version: string; model: LoadedModel }>();

  constructor(dataDir: string, region: string, accountId: string) {
    this.#dataDir = dataDir;
    this.#region = region;
    this.#accountId = accountId;
  }

  /** The model behind `endpointName`; SageMaker's ValidationError when there is no such endpoint. */
  model(endpointName: string): LoadedModel {
    const path = modelPath(this.#dataDir, endpointName);
    const version = fileVersion(path);
    if (version === undefined) {
      this.#cache.delete(endpointName);
      throw new SageMakerValidationError(`Endpoint ${endpointName} of account ${this.#accountId} not found.`);
    }
    const cached = this.#cache.get(endpointName);
    if (cached?.version === version) return cached.model;
    const model = this.#load(endpointName, path);
    this.#cache.set(endpointName, { version, model });
    return model;
  }

  #load(endpointName: string, path: string): LoadedModel {
    try {
      const file = JSON.parse(readFileSync(path, "utf8")) as ModelFile;
      if (file.algorithm !== "randomcutforest" || !Number.isInteger(file.featureDim) || file.featureDim < 1) {
        throw new Error(`not a randomcutforest model with a featureDim`);
      }
      return { featureDim: file.featureDim, forest: RandomCutForest.fromJSON(file.forest) };
    } catch (error) {
      // The container of a broken model answers 500 to every invocation.
      throw new SageMakerModelError(500, `The model of endpoint ${endpointName} cannot be loaded`, this.logStreamArn(endpointName), { cause: error });
    }
  }

  logStreamArn(endpointName: string): string {
    return `arn:aws:logs:${this.#region}:${this.#accountId}:log-group:/aws/sagemaker/Endpoints/${endpointName}`;
  }
}

function fileVersion(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
  } catch {
    return undefined;
  }
}
