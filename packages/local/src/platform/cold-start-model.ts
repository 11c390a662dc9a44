import { DEFAULT_ANOMALY_SETTINGS, trainAnomalyModel, type AnomalySettings } from "@freshet/core";
import { existsSync } from "node:fs";
import { modelPath, registerLocalModel } from "../sagemaker/registry.ts";
import { seededRandom } from "../traffic/random.ts";

/** Points the cold-start model is trained on. */
const POINTS = 2048;
/** Spread of a normal series around its expected value: per-minute counts are noisy, and low ones very. */
const SPREAD = 0.25;

/**
 * Gives the local anomaly endpoint a model on first start. AnomalyScoring runs after every load,
 * and with no model behind the endpoint every run would fail and alert OpsAlerts: a false alarm
 * on a healthy pipeline. The features are each series divided by its expected value (core's
 * `shingleFeatures`), so a normal series sits near 1: a forest trained on such points with
 * minute-level noise is a fair prior, and the decision's threshold adapts to each series' own
 * scores. `freshet anomalies train` replaces it with one trained on the warehouse's history.
 * Returns false when a model is already registered (it is never overwritten).
 */
export function ensureColdStartModel(dataDir: string, endpointName: string, settings: AnomalySettings = DEFAULT_ANOMALY_SETTINGS): boolean {
  if (existsSync(modelPath(dataDir, endpointName))) return false;
  const random = seededRandom(1);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const features = Array.from({ length: POINTS }, () => Array.from({ length: settings.shingleSize }, () => Math.max(0, 1 + SPREAD * normal())));
  registerLocalModel(dataDir, endpointName, trainAnomalyModel(features, settings, 1));
  return true;
}
