import { TestEventPatternCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceError, startEventBridge, type EventBridgeHarness } from "./harness.ts";

let eb: EventBridgeHarness;
beforeAll(async () => {
  eb = await startEventBridge();
});
afterAll(async () => {
  await eb.dispose();
});

const EVENT = {
  id: "1",
  source: "test-source",
  "detail-type": "test-detail-type",
  account: "123456789012",
  region: "us-east-2",
  time: "2022-07-13T13:48:01Z",
  detail: { state: null, "c-count": 3, sourceIPAddress: "10.0.0.255", FileName: "image.PNG", list: [{ id: "a" }, { id: "b" }] },
};

const test = (pattern: object | string, event: object | string = EVENT) =>
  eb.client.send(
    new TestEventPatternCommand({
      EventPattern: typeof pattern === "string" ? pattern : JSON.stringify(pattern),
      Event: typeof event === "string" ? event : JSON.stringify(event),
    }),
  );

describe("TestEventPattern over the wire", () => {
  it.each([
    [{ source: ["test-source"], "detail-type": ["test-detail-type"] }, true],
    [{ source: ["other"] }, false],
    [{ detail: { state: [{ "anything-but": "initializing" }] } }, true],
    [{ detail: { state: [{ exists: false }] } }, false],
    [{ detail: { missing: [{ exists: false }] } }, true],
    [{ detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } }, true],
    [{ detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } }, true],
    [{ detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } }, true],
    [{ detail: { FileName: [{ wildcard: "image.*" }] } }, true],
    [{ detail: { list: { id: ["b"] } } }, true],
    [{ $or: [{ source: ["nope"] }, { detail: { "c-count": [3] } }] }, true],
  ])("%j → %s", async (pattern, expected) => {
    expect((await test(pattern)).Result).toBe(expected);
  });

  it("answers InvalidEventPatternException with AWS's message for an invalid pattern", async () => {
    const error = await serviceError(test('{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}'));
    expect(error.name).toBe("InvalidEventPatternException");
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      'Event pattern is not valid. Reason: Bad numeric range operator: >\n at [Source: (String)"{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}"; line: 1, column: 49]',
    );
    const wildcard = await serviceError(test({ a: [{ wildcard: "*:*:*:*:*:event-bus/*" }] }));
    expect(wildcard.message).toBe(
      "Event pattern is not valid. Reason: Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character",
    );
  });

  it("answers ValidationException for an event that is not a JSON object with the envelope fields", async () => {
    for (const event of ["plain string", JSON.stringify(["plain string"]), JSON.stringify({ testEvent: "value" })]) {
      const error = await serviceError(test({ source: ["x"] }, event));
      expect([error.name, error.message]).toEqual(["ValidationException", "Parameter Event is not valid."]);
    }
  });
});
