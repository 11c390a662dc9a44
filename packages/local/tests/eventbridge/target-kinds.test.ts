import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { rmSync } from "node:fs";
import { afterEach, beforeEach, expect, it } from "vitest";
import { startEndpoint } from "../../src/endpoint/server.ts";
import type { EndpointService } from "../../src/endpoint/service.ts";
import { createEventBridgeService, TestClock } from "../../src/eventbridge/index.ts";
import { ACCOUNT, credentials, REGION, ROLE, startEventBridge, STATE_MACHINE, tempDataDir, type EventBridgeHarness } from "./harness.ts";

let eb: EventBridgeHarness;
beforeEach(async () => {
  eb = await startEventBridge();
});
afterEach(async () => {
  await eb.dispose();
});

const entry = { Source: "freshet.anomaly", DetailType: "AnomalyDetected", Detail: JSON.stringify({ metric: "signups", score: 4.2 }) };

it("forwards events to another bus with PutEvents, where that bus's rules see them", async () => {
  await eb.client.send(new CreateEventBusCommand({ Name: "analytics" }));
  const busArn = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/analytics`;
  await eb.client.send(new PutRuleCommand({ Name: "forward", EventPattern: JSON.stringify({ source: ["freshet.anomaly"] }) }));
  await eb.client.send(new PutTargetsCommand({ Rule: "forward", Targets: [{ Id: "bus", Arn: busArn, RoleArn: ROLE }] }));
  await eb.client.send(new PutRuleCommand({ Name: "alert", EventBusName: "analytics", EventPattern: JSON.stringify({ detail: { score: [{ numeric: [">", 3] }] } }) }));
  await eb.client.send(new PutTargetsCommand({ Rule: "alert", EventBusName: "analytics", Targets: [{ Id: "sfn", Arn: STATE_MACHINE, RoleArn: ROLE }] }));
  await eb.client.send(new PutEventsCommand({ Entries: [entry] }));
  // The forwarded event is routed while the first delivery's PutEvents is handled, so one wait covers both.
  await eb.events.idle();
  expect(eb.sfn.executions).toHaveLength(1);
  expect(eb.sfn.executions[0]!.input).toMatchObject({ source: "freshet.anomaly", "detail-type": "AnomalyDetected", detail: { metric: "signups", score: 4.2 } });
});

it("publishes to an SNS topic through the SNS API (query protocol) with the event as the message", async () => {
  const published: URLSearchParams[] = [];
  const sns: EndpointService = {
    name: "sns-stub",
    matches: (req) => req.body.toString("utf8").includes("Action=Publish"),
    async handle(req) {
      published.push(new URLSearchParams(req.body.toString("utf8")));
      return {
        status: 200,
        headers: { "content-type": "text/xml" },
        body: '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>',
      };
    },
  };
  let url = "";
  const dataDir = tempDataDir();
  const events = createEventBridgeService({ dataDir, clock: new TestClock(), endpointUrl: () => url, log: () => undefined });
  const endpoint = await startEndpoint({ services: [events, sns] });
  url = endpoint.url;
  const client = new EventBridgeClient({ endpoint: url, region: REGION, credentials });
  const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:OpsAlerts`;
  try {
    await client.send(new PutRuleCommand({ Name: "alerts", EventPattern: JSON.stringify({ source: ["freshet.anomaly"] }) }));
    await client.send(new PutTargetsCommand({ Rule: "alerts", Targets: [{ Id: "ops", Arn: topic }] }));
    await client.send(new PutEventsCommand({ Entries: [entry] }));
    await events.idle();
  } finally {
    client.destroy();
    await endpoint.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  expect(published).toHaveLength(1);
  expect(published[0]!.get("TopicArn")).toBe(topic);
  expect(JSON.parse(published[0]!.get("Message")!)).toMatchObject({ source: "freshet.anomaly", detail: { score: 4.2 } });
});
