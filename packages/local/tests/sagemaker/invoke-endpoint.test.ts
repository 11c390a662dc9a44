/**
 * The embedded SageMaker Runtime through the unchanged SDK client: InvokeEndpoint answers as the
 * built-in Random Cut Forest for each request and response type, with SageMaker's errors for what
 * it rejects, and keeps serving; models persist across a restart and a retrained one is picked up.
 */
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient, ValidationError } from "@aws-sdk/client-sagemaker-runtime";
import { trainForest, type RandomCutForest } from "@freshet/core";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import { createSageMakerRuntimeService, modelPath, registerLocalModel } from "../../src/sagemaker/index.ts";

const ENDPOINT = "freshet-local-anomaly";
const ACCOUNT = { region: "us-east-1", accountId: "000000000000" };

/** A 2-d model of points around (10, 10): (10, 10) is ordinary, (60, -40) is not. */
function model(seed = 7): RandomCutForest {
  let x = seed;
  const noise = () => ((x = (x * 16807) % 2147483647) / 2147483647 - 0.5) * 2;
  const points = Array.from({ length: 400 }, () => [10 + noise(), 10 + noise()]);
  return trainForest(points, { dimensions: 2, numberOfTrees: 30, sampleSize: 64, seed });
}

let forest: RandomCutForest;
beforeAll(() => {
  forest = model();
});

interface Running {
  readonly dataDir: string;
  readonly client: SageMakerRuntimeClient;
  stop(): Promise<void>;
}
const stops: (() => Promise<void>)[] = [];
const dirs = new Set<string>();
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
});

/** A real endpoint on loopback serving the SageMaker Runtime over `dataDir`, and a default client. */
async function start(dataDir = mkdtempSync(join(tmpdir(), "freshet-sagemaker-"))): Promise<Running> {
  dirs.add(dataDir);
  const service = createSageMakerRuntimeService({ dataDir, ...ACCOUNT });
  const endpoint: RunningEndpoint = await startEndpoint({ services: [service] });
  const client = new SageMakerRuntimeClient({ endpoint: endpoint.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    client.destroy();
    await endpoint.close();
  };
  stops.push(stop);
  return { dataDir, client, stop };
}

async function invoke(client: SageMakerRuntimeClient, body: string, contentType?: string, accept?: string, endpointName = ENDPOINT) {
  const out = await client.send(
    new InvokeEndpointCommand({ EndpointName: endpointName, Body: new TextEncoder().encode(body), ContentType: contentType, Accept: accept }),
  );
  return { ...out, text: new TextDecoder().decode(out.Body) };
}

async function failure(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number }; OriginalStatusCode?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error("expected the call to fail");
}

describe("InvokeEndpoint request and response types", () => {
  it("scores text/csv, one record per line, answering application/json as SageMaker's RCF", async () => {
    const { dataDir, client } = await start();
    registerLocalModel(dataDir, ENDPOINT, forest);
    const out = await invoke(client, "10,10\n60,-40\n", "text/csv", "application/json");
    expect(out.ContentType).toBe("application/json");
    expect(out.InvokedProductionVariant).toBe("AllTraffic");
    const { scores } = JSON.parse(out.text) as { scores: { score: number }[] };
    expect(scores).toEqual([{ score: forest.score([10, 10]) }, { score: forest.score([60, -40]) }]);
    expect(scores[1]!.score).toBeGreaterThan(2 * scores[0]!.score);
  });

  it("reads application/json instances (dense and the common format) and answers JSON lines when asked", async () => {
    const { dataDir, client } = await start();
    registerLocalModel(dataDir, ENDPOINT, forest);
    const body = JSON.stringify({ instances: [{ features: [10, 10] }, { data: { features: { values: [60, -40] } } }] });
    const out = await invoke(client, body, "application/json", "application/jsonlines");
    expect(out.ContentType).toBe("application/jsonlines");
    expect(out.text.trim().split("\n").map((line) => JSON.parse(line))).toEqual([{ score: forest.score([10, 10]) }, { score: forest.score([60, -40]) }]);
  });

  it("reads application/jsonlines and answers JSON by default (no Accept)", async () => {
    const { dataDir, client } = await start();
    registerLocalModel(dataDir, ENDPOINT, forest);
    const out = await invoke(client, '{"features":[10,10]}\n{"features":[11,9]}\n', "application/jsonlines");
    expect(out.ContentType).toBe("application/json");
    expect(JSON.parse(out.text)).toEqual({ scores: [{ score: forest.score([10, 10]) }, { score: forest.score([11, 9]) }] });
  });

  it("never changes the model: the same points score the same, the file is untouched", async () => {
    const { dataDir, client } = await start();
    const path = registerLocalModel(dataDir, ENDPOINT, forest);
    const before = readFileSync(path, "utf8");
    const first = await invoke(client, "60,-40\n10,10", "text/csv");
    const second = await invoke(client, "60,-40\n10,10", "text/csv");
    expect(second.text).toBe(first.text);
    expect(readFileSync(path, "utf8")).toBe(before);
  });
});

describe("InvokeEndpoint errors (SageMaker's shapes; the endpoint keeps serving)", () => {
  it("answers each bad request with its error, then scores a good one", async () => {
    const { dataDir, client } = await start();
    registerLocalModel(dataDir, ENDPOINT, forest);

    const dimension = await failure(invoke(client, "1,2,3", "text/csv"));
    expect(dimension).toBeInstanceOf(ModelError);
    expect(dimension.$metadata.httpStatusCode).toBe(424);
    expect(dimension.OriginalStatusCode).toBe(400);
    expect(dimension.message).toMatch(/^Received client error \(400\) from primary with message ".*3 features.*feature_dim 2/);

    const nonNumeric = await failure(invoke(client, "10,ten", "text/csv"));
    expect(nonNumeric).toBeInstanceOf(ModelError);
    expect(nonNumeric.OriginalStatusCode).toBe(400);
    expect(nonNumeric.message).toContain("'ten' on line 1 is not a number");

    const badJson = await failure(invoke(client, "{not json", "application/json"));
    expect(badJson).toBeInstanceOf(ModelError);
    expect(badJson.OriginalStatusCode).toBe(400);

    const contentType = await failure(invoke(client, "10 10", "application/x-npy"));
    expect(contentType).toBeInstanceOf(ModelError);
    expect(contentType.OriginalStatusCode).toBe(415);

    const accept = await failure(invoke(client, "10,10", "text/csv", "text/csv"));
    expect(accept).toBeInstanceOf(ModelError);
    expect(accept.OriginalStatusCode).toBe(415);

    const empty = await failure(invoke(client, "", "text/csv"));
    expect(empty).toBeInstanceOf(ValidationError);
    expect(empty.$metadata.httpStatusCode).toBe(400);

    const ok = await invoke(client, "10,10", "text/csv");
    expect(JSON.parse(ok.text)).toEqual({ scores: [{ score: forest.score([10, 10]) }] });
  });

  it("answers an unknown endpoint with ValidationError 'Endpoint … of account … not found.'", async () => {
    const { client } = await start();
    const error = await failure(invoke(client, "10,10", "text/csv", undefined, "nobody-here"));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe("Endpoint nobody-here of account 000000000000 not found.");
  });

  it("rejects an endpoint name outside SageMaker's pattern without touching the disk", async () => {
    const { client } = await start();
    const error = await failure(invoke(client, "10,10", "text/csv", undefined, "..-x"));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain("failed to satisfy constraint");
  });

  it("answers ModelError 500 for a model file that cannot be loaded", async () => {
    const { dataDir, client } = await start();
    registerLocalModel(dataDir, ENDPOINT, forest);
    writeFileSync(modelPath(dataDir, ENDPOINT), '{"algorithm":"randomcutforest","featureDim":2,"forest":{"version":1}}');
    const error = await failure(invoke(client, "10,10", "text/csv"));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.OriginalStatusCode).toBe(500);
  });
});

describe("models on disk", () => {
  it("survive a restart of the endpoint, and a retrained model is served from the next request", async () => {
    const first = await start();
    registerLocalModel(first.dataDir, ENDPOINT, forest);
    const before = await invoke(first.client, "60,-40", "text/csv");
    await first.stop();

    const second = await start(first.dataDir);
    expect((await invoke(second.client, "60,-40", "text/csv")).text).toBe(before.text);

    const retrained = model(99);
    registerLocalModel(second.dataDir, ENDPOINT, retrained);
    const after = JSON.parse((await invoke(second.client, "60,-40", "text/csv")).text) as { scores: { score: number }[] };
    expect(after.scores[0]!.score).toBe(retrained.score([60, -40]));
  });
});
