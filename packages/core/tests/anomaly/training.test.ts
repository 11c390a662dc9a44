import { describe, expect, it } from "vitest";
import {
  AnomalyTrainingError,
  ConfigError,
  DEFAULT_ANOMALY_SETTINGS,
  FreshetError,
  MIN_TRAINING_POINTS,
  anomalyEndpointName,
  checkTrainingPoints,
  prepareSeries,
  rcfHyperParameters,
  rcfImageUri,
  trainAnomalyModel,
  trainingCsv,
  trainingFeatures,
  type SeriesRow,
} from "../../src/index.ts";

/** Two hours of one series: 10 events a minute with a small wiggle. */
const window = { fromMinute: 29_000_000, untilMinute: 29_000_120 };
const rows: SeriesRow[] = Array.from({ length: 120 }, (_, i) => ({ metric: "events", dimension: "page_view", minute: window.fromMinute + i, value: 10 + (i % 3) }));

describe("training data", () => {
  it("is every point with a full shingle and baseline, with exactly the features scoring gives the model", () => {
    const features = trainingFeatures(rows, window, DEFAULT_ANOMALY_SETTINGS);
    const { shingleSize, baselineMinutes, scoreMinutes } = DEFAULT_ANOMALY_SETTINGS;
    expect(features).toHaveLength(120 - (shingleSize - 1 + baselineMinutes));
    // The newest points are the ones a scoring run sends: same numbers.
    const scored = prepareSeries(rows, window, DEFAULT_ANOMALY_SETTINGS)[0]!.features;
    expect(features.slice(-scoreMinutes)).toEqual(scored);
    expect(trainingCsv([[1, 1.1], [0.9, 1]])).toBe("1,1.1\n0.9,1\n");
  });

  it("trains a forest of the shingle's dimension with SageMaker's default trees and samples", () => {
    const forest = trainAnomalyModel(trainingFeatures(rows, window, DEFAULT_ANOMALY_SETTINGS), DEFAULT_ANOMALY_SETTINGS, 1);
    expect(forest.toJSON()).toMatchObject({ dimensions: 4, numberOfTrees: 100, sampleSize: 256 });
    expect(rcfHyperParameters(DEFAULT_ANOMALY_SETTINGS)).toEqual({ feature_dim: "4", num_trees: "100", num_samples_per_tree: "256" });
  });

  it("refuses too little history with a typed error", () => {
    expect(() => checkTrainingPoints(MIN_TRAINING_POINTS)).not.toThrow();
    const error = (() => {
      try {
        checkTrainingPoints(MIN_TRAINING_POINTS - 1);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AnomalyTrainingError);
    expect(error).toBeInstanceOf(FreshetError);
    expect(error).toMatchObject({ name: "AnomalyTrainingError", message: "63 shingled points of history; training needs at least 64" });
  });
});

describe("the built-in RCF image and the endpoint's name", () => {
  it("names the region's registry, in China under amazonaws.com.cn", () => {
    expect(rcfImageUri("us-west-2")).toBe("174872318107.dkr.ecr.us-west-2.amazonaws.com/randomcutforest:1");
    expect(rcfImageUri("cn-north-1")).toBe("390948362332.dkr.ecr.cn-north-1.amazonaws.com.cn/randomcutforest:1");
    expect(() => rcfImageUri("xx-nowhere-1")).toThrow(ConfigError);
    expect(anomalyEndpointName("freshet", "production")).toBe("freshet-production-anomaly");
  });
});
