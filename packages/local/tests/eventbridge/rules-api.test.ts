import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT, REGION, ROLE, serviceError, startEventBridge, STATE_MACHINE, type EventBridgeHarness } from "./harness.ts";

let eb: EventBridgeHarness;
beforeEach(async () => {
  eb = await startEventBridge();
});
afterEach(async () => {
  await eb.dispose();
});

const PATTERN = JSON.stringify({ source: ["freshet.lake"], "detail-type": ["Dead Letters Landed"] });

describe("rules", () => {
  it("creates, describes, lists, disables and deletes rules with AWS's ARNs and fields", async () => {
    const put = await eb.client.send(new PutRuleCommand({ Name: "dlq-landed", EventPattern: PATTERN, Description: "triage" }));
    expect(put.RuleArn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:rule/dlq-landed`);
    const described = await eb.client.send(new DescribeRuleCommand({ Name: "dlq-landed" }));
    expect(described).toMatchObject({
      Name: "dlq-landed",
      Arn: put.RuleArn,
      EventPattern: PATTERN,
      State: "ENABLED",
      Description: "triage",
      EventBusName: "default",
      CreatedBy: ACCOUNT,
    });
    await eb.client.send(new DisableRuleCommand({ Name: "dlq-landed" }));
    expect((await eb.client.send(new DescribeRuleCommand({ Name: "dlq-landed" }))).State).toBe("DISABLED");
    await eb.client.send(new EnableRuleCommand({ Name: "dlq-landed" }));
    expect((await eb.client.send(new ListRulesCommand({}))).Rules?.map((r) => [r.Name, r.State])).toEqual([["dlq-landed", "ENABLED"]]);
    await eb.client.send(new DeleteRuleCommand({ Name: "dlq-landed" }));
    expect((await eb.client.send(new ListRulesCommand({}))).Rules).toEqual([]);
    // Deleting a rule that is not there is not an error.
    await eb.client.send(new DeleteRuleCommand({ Name: "dlq-landed" }));
  });

  it("refuses a rule without pattern or schedule, a bad schedule and a bad pattern with AWS's exceptions", async () => {
    const neither = await serviceError(eb.client.send(new PutRuleCommand({ Name: "r" })));
    expect([neither.name, neither.message]).toEqual(["ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified."]);
    for (const expr of ["rate(1 minutes)", "cron(0 1 * * * *)", "rate(5 minute)", "cron(0/5 * * * *)"]) {
      const bad = await serviceError(eb.client.send(new PutRuleCommand({ Name: "r", ScheduleExpression: expr })));
      expect([bad.name, bad.message, bad.$metadata.httpStatusCode]).toEqual(["ValidationException", "Parameter ScheduleExpression is not valid.", 400]);
    }
    const pattern = await serviceError(eb.client.send(new PutRuleCommand({ Name: "r", EventPattern: '{"source": "aws.ec2"}' })));
    expect(pattern.name).toBe("InvalidEventPatternException");
    expect(pattern.message).toBe(
      'Event pattern is not valid. Reason: "source" must be an object or an array\n at [Source: (String)"{"source": "aws.ec2"}"; line: 1, column: 13]',
    );
    const name = await serviceError(eb.client.send(new PutRuleCommand({ Name: "bad name!", EventPattern: PATTERN })));
    expect(name.message).toBe(
      "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    );
    expect((await eb.client.send(new ListRulesCommand({}))).Rules).toEqual([]);
  });

  it("answers ResourceNotFoundException for a rule or bus that does not exist", async () => {
    const rule = await serviceError(eb.client.send(new DescribeRuleCommand({ Name: "missing" })));
    expect([rule.name, rule.message]).toEqual(["ResourceNotFoundException", "Rule missing does not exist on EventBus default."]);
    const bus = await serviceError(eb.client.send(new PutRuleCommand({ Name: "r", EventPattern: PATTERN, EventBusName: "nope" })));
    expect([bus.name, bus.message]).toEqual(["ResourceNotFoundException", "Event bus nope does not exist."]);
    expect((await serviceError(eb.client.send(new EnableRuleCommand({ Name: "missing" })))).name).toBe("ResourceNotFoundException");
  });

  it("lists rules by name prefix, a page at a time", async () => {
    for (const name of ["load-b", "load-a", "maintenance", "load-c"]) {
      await eb.client.send(new PutRuleCommand({ Name: name, EventPattern: PATTERN }));
    }
    const first = await eb.client.send(new ListRulesCommand({ NamePrefix: "load-", Limit: 2 }));
    expect(first.Rules?.map((r) => r.Name)).toEqual(["load-a", "load-b"]);
    expect(first.NextToken).toBeDefined();
    const second = await eb.client.send(new ListRulesCommand({ NamePrefix: "load-", Limit: 2, NextToken: first.NextToken }));
    expect(second.Rules?.map((r) => r.Name)).toEqual(["load-c"]);
    expect(second.NextToken).toBeUndefined();
  });

  it("replaces a rule on a second PutRule and keeps its targets", async () => {
    await eb.client.send(new PutRuleCommand({ Name: "r", EventPattern: PATTERN, Description: "one" }));
    await eb.client.send(new PutTargetsCommand({ Rule: "r", Targets: [{ Id: "t", Arn: STATE_MACHINE, RoleArn: ROLE }] }));
    await eb.client.send(new PutRuleCommand({ Name: "r", ScheduleExpression: "rate(5 minutes)", State: "DISABLED" }));
    const rule = await eb.client.send(new DescribeRuleCommand({ Name: "r" }));
    expect(rule).toMatchObject({ ScheduleExpression: "rate(5 minutes)", State: "DISABLED" });
    expect(rule.EventPattern).toBeUndefined();
    expect(rule.Description).toBeUndefined();
    expect((await eb.client.send(new ListTargetsByRuleCommand({ Rule: "r" }))).Targets?.map((t) => t.Id)).toEqual(["t"]);
  });
});

describe("targets", () => {
  beforeEach(async () => {
    await eb.client.send(new PutRuleCommand({ Name: "r", EventPattern: PATTERN }));
  });

  it("puts, lists and removes targets; a rule with targets cannot be deleted", async () => {
    const put = await eb.client.send(
      new PutTargetsCommand({
        Rule: "r",
        Targets: [
          { Id: "states", Arn: STATE_MACHINE, RoleArn: ROLE, Input: '{"mode":"triage"}' },
          { Id: "fn", Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:Triage`, InputPath: "$.detail" },
        ],
      }),
    );
    expect(put).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    const listed = await eb.client.send(new ListTargetsByRuleCommand({ Rule: "r" }));
    expect(listed.Targets).toEqual([
      { Id: "fn", Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:Triage`, InputPath: "$.detail" },
      { Id: "states", Arn: STATE_MACHINE, RoleArn: ROLE, Input: '{"mode":"triage"}' },
    ]);
    const refused = await serviceError(eb.client.send(new DeleteRuleCommand({ Name: "r" })));
    expect([refused.name, refused.message]).toEqual(["ValidationException", "Rule can't be deleted since it has targets."]);
    await eb.client.send(new RemoveTargetsCommand({ Rule: "r", Ids: ["states", "fn"] }));
    await eb.client.send(new DeleteRuleCommand({ Name: "r" }));
  });

  it("refuses more than five targets, conflicting inputs, unknown placeholders and a state machine without a role", async () => {
    const six = Array.from({ length: 6 }, (_, i) => ({ Id: `t${i}`, Arn: `arn:aws:sns:${REGION}:${ACCOUNT}:OpsAlerts` }));
    const limit = await serviceError(eb.client.send(new PutTargetsCommand({ Rule: "r", Targets: six })));
    expect([limit.name, limit.message]).toEqual(["LimitExceededException", "The requested resource exceeds the maximum number allowed."]);
    const both = await serviceError(
      eb.client.send(new PutTargetsCommand({ Rule: "r", Targets: [{ Id: "t", Arn: STATE_MACHINE, RoleArn: ROLE, Input: "{}", InputPath: "$.detail" }] })),
    );
    expect(both.message).toBe("Only one of Input, InputPath, or InputTransformer must be provided for target t.");
    const placeholder = await serviceError(
      eb.client.send(
        new PutTargetsCommand({
          Rule: "r",
          Targets: [{ Id: "t", Arn: STATE_MACHINE, RoleArn: ROLE, InputTransformer: { InputPathsMap: { a: "$.detail.a" }, InputTemplate: '{"x": <notdefinedkey>}' } }],
        }),
      ),
    );
    expect(placeholder.message).toBe("InputTemplate for target t contains invalid placeholder notdefinedkey.");
    const role = await serviceError(eb.client.send(new PutTargetsCommand({ Rule: "r", Targets: [{ Id: "t", Arn: STATE_MACHINE }] })));
    expect(role.name).toBe("ValidationException");
    const id = await serviceError(eb.client.send(new PutTargetsCommand({ Rule: "r", Targets: [{ Id: "!@#$@!#$", Arn: STATE_MACHINE, RoleArn: ROLE }] })));
    expect(id.message).toBe(
      "1 validation error detected: Value '!@#$@!#$' at 'targets.1.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    );
    expect((await eb.client.send(new ListTargetsByRuleCommand({ Rule: "r" }))).Targets).toEqual([]);
  });
});

describe("event buses", () => {
  it("has the default bus, creates, describes, lists and deletes custom ones with AWS's messages", async () => {
    expect((await eb.client.send(new DescribeEventBusCommand({}))).Arn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`);
    const created = await eb.client.send(new CreateEventBusCommand({ Name: "freshet", Description: "domain events" }));
    expect(created.EventBusArn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:event-bus/freshet`);
    const again = await serviceError(eb.client.send(new CreateEventBusCommand({ Name: "freshet" })));
    expect([again.name, again.message]).toEqual(["ResourceAlreadyExistsException", "Event bus freshet already exists."]);
    const described = await eb.client.send(new DescribeEventBusCommand({ Name: created.EventBusArn }));
    expect(described).toMatchObject({ Name: "freshet", Description: "domain events" });
    expect(described.CreationTime).toBeInstanceOf(Date);
    expect((await eb.client.send(new ListEventBusesCommand({}))).EventBuses?.map((b) => b.Name)).toEqual(["default", "freshet"]);
    const onBus = await eb.client.send(new PutRuleCommand({ Name: "r", EventBusName: "freshet", EventPattern: PATTERN }));
    expect(onBus.RuleArn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:rule/freshet/r`);
    const scheduled = await serviceError(eb.client.send(new PutRuleCommand({ Name: "s", EventBusName: "freshet", ScheduleExpression: "rate(1 hour)" })));
    expect(scheduled.message).toBe("ScheduleExpression is supported only on the default event bus.");
    const defaultBus = await serviceError(eb.client.send(new DeleteEventBusCommand({ Name: "default" })));
    expect(defaultBus.message).toBe("Cannot delete event bus default.");
    await eb.client.send(new DeleteEventBusCommand({ Name: "freshet" }));
    const gone = await serviceError(eb.client.send(new DescribeEventBusCommand({ Name: "freshet" })));
    expect([gone.name, gone.message]).toEqual(["ResourceNotFoundException", "Event bus freshet does not exist."]);
  });
});

it("keeps buses, rules and targets in <dataDir>/eventbridge/ across a restart", async () => {
  await eb.client.send(new CreateEventBusCommand({ Name: "freshet" }));
  await eb.client.send(new PutRuleCommand({ Name: "r", EventBusName: "freshet", EventPattern: PATTERN }));
  await eb.client.send(new PutTargetsCommand({ Rule: "r", EventBusName: "freshet", Targets: [{ Id: "t", Arn: STATE_MACHINE, RoleArn: ROLE }] }));
  const saved = JSON.parse(readFileSync(join(eb.dataDir, "eventbridge", "state.json"), "utf8")) as { rules: unknown[] };
  expect(saved.rules).toHaveLength(1);
  await eb.stop();
  const restarted = await startEventBridge({ dataDir: eb.dataDir });
  try {
    expect((await restarted.client.send(new DescribeRuleCommand({ Name: "r", EventBusName: "freshet" }))).EventPattern).toBe(PATTERN);
    expect((await restarted.client.send(new ListTargetsByRuleCommand({ Rule: "r", EventBusName: "freshet" }))).Targets).toHaveLength(1);
  } finally {
    await restarted.stop();
  }
});
