/**
 * docs/operations.md against what a stage deploys: every alarm stacks/monitoring.ts creates is
 * explained there by its id, and every workflow (whose alerts reach OpsAlerts) has its section.
 * An alarm or workflow added without its runbook fails here.
 */
import { WORKFLOWS } from "@freshet/workflows";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { synth, type SynthResult } from "./harness/synth.ts";

const DOC = join(dirname(fileURLToPath(import.meta.url)), "../../docs/operations.md");
const doc = readFileSync(DOC, "utf8");

let result: SynthResult;
beforeAll(async () => {
  result = await synth({ stage: "ci", secrets: { IngestApiKey: "ci-key", MetricsApiKey: "ci-metrics-key" } });
});

describe("docs/operations.md", () => {
  it("explains every alarm the stage creates, by its id", () => {
    const ids = result.resources.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => String(a.inputs.name).replace(/^freshet-ci-/, ""));
    expect(ids.length).toBeGreaterThan(0);
    const undocumented = ids.filter((id) => !doc.includes(`\`${id}\``));
    expect(undocumented).toEqual([]);
  });

  it("has a section for every workflow's alerts", () => {
    const headings = doc.split("\n").filter((l) => l.startsWith("### "));
    const missing = WORKFLOWS.map((w) => w.name).filter((name) => !headings.some((h) => h === `### ${name}` || h.startsWith(`### ${name} (`)));
    expect(missing).toEqual([]);
  });
});
