import { CreateEventBusCommand, DisableRuleCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { entrySize, MAX_PUT_EVENTS_BYTES } from "../../src/eventbridge/index.ts";
import { ACCOUNT, REGION, ROLE, serviceError, startEventBridge, STATE_MACHINE, type EventBridgeHarness } from "./harness.ts";

let eb: EventBridgeHarness;
beforeEach(async () => {
  eb = await startEventBridge();
  await eb.client.send(new PutRuleCommand({ Name: "dlq", EventPattern: JSON.stringify({ source: ["freshet.lake"], detail: { count: [{ numeric: [">", 0] }] } }) }));
  await eb.client.send(new PutTargetsCommand({ Rule: "dlq", Targets: [{ Id: "triage", Arn: STATE_MACHINE, RoleArn: ROLE }] }));
});
afterEach(async () => {
  await eb.dispose();
});

const entry = (detail: object, extra: object = {}) => ({ Source: "freshet.lake", DetailType: "Dead Letters Landed", Detail: JSON.stringify(detail), ...extra });

describe("PutEvents", () => {
  it("gives each accepted entry an id and starts the matching rule's state machine with the event as input", async () => {
    const time = new Date("2026-11-26T09:30:00Z");
    const result = await eb.client.send(
      new PutEventsCommand({ Entries: [entry({ count: 3 }, { Time: time, Resources: ["arn:aws:s3:::lake"] }), entry({ count: 0 })] }),
    );
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries).toHaveLength(2);
    await eb.events.idle();
    expect(eb.sfn.executions).toHaveLength(1);
    expect(eb.sfn.executions[0]!.stateMachineArn).toBe(STATE_MACHINE);
    expect(eb.sfn.executions[0]!.input).toEqual({
      version: "0",
      id: result.Entries![0]!.EventId,
      "detail-type": "Dead Letters Landed",
      source: "freshet.lake",
      account: ACCOUNT,
      time: "2026-11-26T09:30:00Z",
      region: REGION,
      resources: ["arn:aws:s3:::lake"],
      detail: { count: 3 },
    });
  });

  it("reports per-entry errors with AWS's codes and messages, and delivers the valid entries", async () => {
    const result = await eb.client.send(
      new PutEventsCommand({
        Entries: [
          { DetailType: "x", Detail: "{}" },
          { Source: "s", Detail: "{}" },
          { Source: "s", DetailType: "x" },
          { Source: "s", DetailType: "x", Detail: '"a string"' },
          { Source: "s", DetailType: "x", Detail: "[1]" },
          { Source: "s", DetailType: "x", Detail: "{not json" },
          entry({ count: 1 }),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(6);
    expect(result.Entries!.slice(0, 6)).toEqual([
      { ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument." },
      { ErrorCode: "InvalidArgument", ErrorMessage: "Parameter DetailType is not valid. Reason: DetailType is a required argument." },
      { ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument." },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
    ]);
    expect(result.Entries![6]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    await eb.events.idle();
    expect(eb.sfn.executions).toHaveLength(1);
  });

  it("refuses more than 10 entries and more than 256 KB in total, counted as AWS counts", async () => {
    const eleven = Array.from({ length: 11 }, () => entry({ count: 1 }));
    const many = await serviceError(eb.client.send(new PutEventsCommand({ Entries: eleven })));
    expect(many.name).toBe("ValidationException");
    expect(many.message).toContain("at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10");

    // Source + DetailType + Detail bytes (UTF-8) + 14 for a Time: exactly at the limit passes, one byte more fails.
    const fixed = entrySize({ Source: "freshet.lake", DetailType: "Dead Letters Landed", Detail: '{"pad":""}' });
    const padding = (n: number) => "é".repeat(Math.floor(n / 2)) + "a".repeat(n % 2);
    const atLimit = entry({ pad: padding(MAX_PUT_EVENTS_BYTES - fixed) });
    expect(entrySize(atLimit)).toBe(MAX_PUT_EVENTS_BYTES);
    expect((await eb.client.send(new PutEventsCommand({ Entries: [atLimit] }))).FailedEntryCount).toBe(0);
    const over = await serviceError(eb.client.send(new PutEventsCommand({ Entries: [{ ...atLimit, Time: new Date() }] })));
    expect([over.name, over.message]).toEqual(["ValidationException", "Total size of the entries in the request is over the limit."]);
    const split = await serviceError(eb.client.send(new PutEventsCommand({ Entries: [entry({ pad: padding(MAX_PUT_EVENTS_BYTES / 2) }), entry({ pad: padding(MAX_PUT_EVENTS_BYTES / 2) })] })));
    expect(split.message).toBe("Total size of the entries in the request is over the limit.");
  });

  it("sends nothing for a disabled rule, and accepts events for a bus that does not exist", async () => {
    await eb.client.send(new DisableRuleCommand({ Name: "dlq" }));
    const result = await eb.client.send(new PutEventsCommand({ Entries: [entry({ count: 2 }), { ...entry({ count: 2 }), EventBusName: "nope" }] }));
    expect(result.FailedEntryCount).toBe(0);
    await eb.events.idle();
    expect(eb.sfn.executions).toEqual([]);
  });

  it("routes events to the rules of their own bus only", async () => {
    await eb.client.send(new CreateEventBusCommand({ Name: "freshet" }));
    await eb.client.send(new PutRuleCommand({ Name: "on-custom", EventBusName: "freshet", EventPattern: JSON.stringify({ source: ["freshet.lake"] }) }));
    await eb.client.send(
      new PutTargetsCommand({ Rule: "on-custom", EventBusName: "freshet", Targets: [{ Id: "t", Arn: STATE_MACHINE.replace("Load", "Other"), RoleArn: ROLE }] }),
    );
    await eb.client.send(new PutEventsCommand({ Entries: [{ ...entry({ count: 1 }), EventBusName: "freshet" }] }));
    await eb.events.idle();
    expect(eb.sfn.executions.map((e) => e.stateMachineArn)).toEqual([STATE_MACHINE.replace("Load", "Other")]);
  });
});

describe("target input", () => {
  const put = async (target: object) => {
    await eb.client.send(new PutTargetsCommand({ Rule: "dlq", Targets: [{ Id: "triage", Arn: STATE_MACHINE, RoleArn: ROLE, ...target }] }));
    await eb.client.send(new PutEventsCommand({ Entries: [entry({ count: 2, reasons: ["schema", "size"], user: { id: "u1" } })] }));
    await eb.events.idle();
    return eb.sfn.executions.at(-1)!.input;
  };

  it("sends a constant Input instead of the event", async () => {
    expect(await put({ Input: '{"workflow":"triage"}' })).toEqual({ workflow: "triage" });
  });

  it("sends the part of the event an InputPath selects", async () => {
    expect(await put({ InputPath: "$.detail.user" })).toEqual({ id: "u1" });
    expect(await put({ InputPath: "$.detail.reasons[1]" })).toBe("size");
  });

  it("fills an InputTransformer template, quoting values inside strings and inserting JSON outside", async () => {
    const input = await put({
      InputTransformer: {
        InputPathsMap: { count: "$.detail.count", user: "$.detail.user", reasons: "$.detail.reasons", missing: "$.detail.nope" },
        InputTemplate:
          '{"summary": "<count> dead letters for <user> (<reasons>)<missing>", "count": <count>, "user": <user>, "rule": "<aws.events.rule-name>", "arn": "<aws.events.rule-arn>"}',
      },
    });
    expect(input).toEqual({
      summary: "2 dead letters for {id:u1} ([schema,size])",
      count: 2,
      user: { id: "u1" },
      rule: "dlq",
      arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/dlq`,
    });
  });
});
