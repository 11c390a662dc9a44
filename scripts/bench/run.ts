import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benchAnomalyScore } from "./anomaly-score.ts";
import { benchCopy } from "./copy.ts";
import { benchKinesis } from "./kinesis.ts";
import { benchMaintenance } from "./maintenance.ts";
import { benchMetricsApi } from "./metrics-api.ts";
import { benchPipeline } from "./pipeline.ts";
import { benchPipelineCpu } from "./pipeline-cpu.ts";
import { benchRcf } from "./rcf.ts";
import { benchS3 } from "./s3.ts";
import { benchInterpreter } from "./sfn.ts";
import { benchTableHealth } from "./table-health.ts";
import { benchTransformer } from "./transformer.ts";
import { benchTriage } from "./triage.ts";
import { benchTriageFind } from "./triage-find.ts";
import { benchTriageFlow } from "./triage-flow.ts";
import { benchWarehouse } from "./warehouse.ts";

/**
 * `npm run bench`: Freshet's speed and memory targets, each measured against its reference in this run.
 * `npm run bench -- <section|group> …` runs only those, e.g. `npm run bench -- local` (the embedded
 * services, a couple of minutes) instead of everything (the warehouse and pipeline take longest).
 */
const SECTIONS: Readonly<Record<string, () => Promise<void>>> = {
  transformer: benchTransformer,
  interpreter: benchInterpreter,
  kinesis: benchKinesis,
  s3: benchS3,
  copy: benchCopy,
  "table-health": benchTableHealth,
  warehouse: benchWarehouse,
  "metrics-api": benchMetricsApi,
  pipeline: benchPipeline,
  "pipeline-cpu": benchPipelineCpu,
  maintenance: benchMaintenance,
  triage: async () => {
    await benchTriage();
    await benchTriageFlow();
    await benchTriageFind();
  },
  "anomaly-score": benchAnomalyScore,
  rcf: async () => {
    await benchRcf();
  },
};
const GROUPS: Readonly<Record<string, readonly string[]>> = { local: ["kinesis", "s3", "copy", "table-health"] };

const asked = process.argv.slice(2).flatMap((name) => GROUPS[name] ?? [name]);
const unknown = asked.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) {
  console.error(`unknown bench section ${unknown.join(", ")}; sections: ${Object.keys(SECTIONS).join(", ")}; groups: ${Object.keys(GROUPS).join(", ")}`);
  process.exit(2);
}
const chosen = asked.length > 0 ? Object.keys(SECTIONS).filter((name) => asked.includes(name)) : Object.keys(SECTIONS);

if (chosen.length === 1) {
  console.log(`Freshet benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  await SECTIONS[chosen[0]!]!();
} else {
  // Each section in a process of its own: a platform's handlers keep the SDK clients (and links)
  // of the first platform of their process, and one section's heap, JIT and open files would
  // otherwise weigh on the next one's figures.
  for (const name of chosen) {
    const { status, signal } = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(new URL("../bench.ts", import.meta.url)), name], { stdio: "inherit" });
    if (status !== 0) {
      console.error(`bench section ${name} failed (${signal ?? `exit ${status}`})`);
      process.exit(status ?? 1);
    }
  }
}
