import { DEFAULT_ANOMALY_SETTINGS, RandomCutForest } from "@freshet/core";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { ensureColdStartModel } from "../../src/platform/cold-start-model.ts";
import { modelPath } from "../../src/sagemaker/registry.ts";

let dataDir: string | undefined;
afterEach(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

it("registers a model on first start that scores a series at its usual level low and a drop to zero high", () => {
  dataDir = mkdtempSync(join(tmpdir(), "freshet-cold-start-"));
  expect(ensureColdStartModel(dataDir, "freshet-local-anomaly")).toBe(true);
  const file = JSON.parse(readFileSync(modelPath(dataDir, "freshet-local-anomaly"), "utf8")) as { featureDim: number; forest: never };
  expect(file.featureDim).toBe(DEFAULT_ANOMALY_SETTINGS.shingleSize);
  const forest = RandomCutForest.fromJSON(file.forest);
  const usual = forest.score(Array.from({ length: file.featureDim }, () => 1));
  const dropped = forest.score(Array.from({ length: file.featureDim }, () => 0));
  expect(dropped).toBeGreaterThan(usual * 1.5);
});

it("never replaces a model already registered (a trained one)", () => {
  dataDir = mkdtempSync(join(tmpdir(), "freshet-cold-start-"));
  const path = modelPath(dataDir, "freshet-local-anomaly");
  expect(ensureColdStartModel(dataDir, "freshet-local-anomaly")).toBe(true);
  writeFileSync(path, "trained");
  expect(ensureColdStartModel(dataDir, "freshet-local-anomaly")).toBe(false);
  expect(readFileSync(path, "utf8")).toBe("trained");
});
