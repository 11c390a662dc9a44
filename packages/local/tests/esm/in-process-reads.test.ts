import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { localStreamApi, MappingConfigError, startEventSourceMapping } from "../../src/esm/index.ts";
import { EsmFixture, STREAM, values, type Invocation } from "./harness.ts";

let fixtures: EsmFixture[] = [];
afterEach(async () => {
  for (const fixture of fixtures) await fixture.dispose();
  fixtures = [];
});

async function start(reads: "wire" | "in-process", shards = 2): Promise<EsmFixture> {
  const fixture = await EsmFixture.start(shards, {}, reads);
  fixtures.push(fixture);
  return fixture;
}

/** What the handler got, without what differs per invocation by design (the request's context). */
function events(invocations: readonly Invocation[]) {
  return invocations.map((i) => i.event);
}

describe("the mapping reading the embedded stream in process", () => {
  it("hands the handler the very events the SDK path does: same records, order, data, sequence numbers and arrival times", async () => {
    const fixture = await start("wire");
    await fixture.put(values("a", 120), 0);
    await fixture.put(["ünïcode ✓", "{\"json\":true}", ""].concat(values("b", 40)), 1);

    const overWire = fixture.map(() => undefined, { batchSize: 50 });
    await overWire.waitForIdle({ timeoutMs: 10_000 });
    await overWire.stop();
    const wire = fixture.invocations.splice(0);

    const inProcess = startEventSourceMapping({
      stream: localStreamApi(fixture.kinesis.service),
      streamName: STREAM,
      functionName: "transformer",
      batchSize: 50,
      pollIntervalMs: 20,
      handler: async (event) => {
        fixture.invocations.push({ event } as Invocation);
      },
    });
    await inProcess.waitForIdle({ timeoutMs: 10_000 });
    await inProcess.stop();

    expect(events(fixture.invocations)).toEqual(events(wire));
    expect(fixture.invocations.flatMap((i) => i.event.Records).map((r) => Buffer.from(r.kinesis.data, "base64").toString())).toContain("ünïcode ✓");
  });

  it("resumes from the checkpoints the SDK path wrote, and the other way round", async () => {
    const fixture = await start("in-process");
    const checkpointFile = join(fixture.dir, "checkpoints.json");
    await fixture.put(values("a", 30), 0);
    const first = fixture.map(() => undefined, { checkpointFile, batchSize: 10 });
    await first.waitForIdle({ timeoutMs: 10_000 });
    await first.stop();

    await fixture.put(values("b", 5), 0);
    const wire = startEventSourceMapping({
      kinesis: fixture.kinesis.client,
      streamName: STREAM,
      functionName: "transformer",
      checkpointFile,
      pollIntervalMs: 20,
      handler: async (event) => {
        fixture.invocations.push({ event, values: event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString()) } as Invocation);
      },
    });
    await wire.waitForIdle({ timeoutMs: 10_000 });
    await wire.stop();

    await fixture.put(values("c", 5), 0);
    const last = fixture.map(() => undefined, { checkpointFile, batchSize: 10 });
    await last.waitForIdle({ timeoutMs: 10_000 });
    expect(fixture.delivered()).toEqual([...values("a", 30), ...values("b", 5), ...values("c", 5)]);
  });

  it("is given exactly one way to read the stream", async () => {
    const fixture = await start("wire", 1);
    const base = { streamName: STREAM, functionName: "f", handler: () => undefined };
    expect(() => startEventSourceMapping(base)).toThrow(MappingConfigError);
    expect(() => startEventSourceMapping({ ...base, kinesis: fixture.kinesis.client, stream: localStreamApi(fixture.kinesis.service) })).toThrow(
      MappingConfigError,
    );
  });
});
