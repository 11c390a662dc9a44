import { benchPipeline } from "./bench/pipeline.ts";
import { benchInterpreter } from "./bench/sfn.ts";
import { benchTransformer } from "./bench/transformer.ts";
import { benchWarehouse } from "./bench/warehouse.ts";

/** `npm run bench`: Freshet's speed and memory targets, each measured against its reference in this run. */
console.log(`Freshet benchmarks — node ${process.version}, ${new Date().toISOString()}`);
await benchTransformer();
await benchInterpreter();
await benchWarehouse();
await benchPipeline();
