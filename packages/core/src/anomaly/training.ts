import { FreshetError } from "../errors.ts";
import { trainForest, type RandomCutForest } from "./rcf/index.ts";
import type { MetricDefinition } from "./metrics.ts";
import { prepareSeries, type SeriesRow } from "./series.ts";
import type { AnomalySettings } from "./settings.ts";

/** History too short to train a model on (fewer shingled points than the forest needs). */
export class AnomalyTrainingError extends FreshetError {
  override readonly name = "AnomalyTrainingError";
}

/**
 * SageMaker's RCF hyperparameters for Freshet's model (its defaults, named so the local forest
 * and the training job agree): `feature_dim` is the shingle size.
 */
export function rcfHyperParameters(settings: Pick<AnomalySettings, "shingleSize">): Record<string, string> {
  return { feature_dim: String(settings.shingleSize), num_trees: "100", num_samples_per_tree: "256" };
}

/** Fewer shingled points than this cannot fill a tree's sample meaningfully. */
export const MIN_TRAINING_POINTS = 64;

/**
 * Every shingled point of the history in [fromMinute, untilMinute) that has a full shingle and
 * baseline, for every metric and dimension, with exactly the features scoring gives the model
 * (`prepareSeries` over the whole window instead of the newest minutes). One model serves every
 * series because the features are relative to each series' own level.
 */
export function trainingFeatures(
  rows: readonly SeriesRow[],
  window: { readonly fromMinute: number; readonly untilMinute: number },
  settings: AnomalySettings,
  metrics?: readonly MetricDefinition[],
): number[][] {
  const everyMinute = { ...settings, scoreMinutes: window.untilMinute - window.fromMinute };
  return prepareSeries(rows, window, everyMinute, metrics).flatMap((series) => series.features.map((f) => [...f]));
}

/** The model the local endpoint serves: batch-trained as SageMaker's built-in RCF trains. */
export function trainAnomalyModel(features: readonly (readonly number[])[], settings: AnomalySettings, seed: number): RandomCutForest {
  checkTrainingPoints(features.length);
  const hyper = rcfHyperParameters(settings);
  return trainForest(features, {
    dimensions: settings.shingleSize,
    numberOfTrees: Number(hyper.num_trees),
    sampleSize: Number(hyper.num_samples_per_tree),
    seed,
  });
}

/** Refuses history too short to train on, before any model (or training job) is built. */
export function checkTrainingPoints(count: number): void {
  if (count < MIN_TRAINING_POINTS) {
    throw new AnomalyTrainingError(`${count} shingled points of history; training needs at least ${MIN_TRAINING_POINTS}`);
  }
}

/** Training data as SageMaker's RCF reads `text/csv;label_size=0`: one point a line. */
export function trainingCsv(features: readonly (readonly number[])[]): string {
  return `${features.map((f) => f.join(",")).join("\n")}\n`;
}
