import { PutRuleCommand, PutTargetsCommand, EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { rmSync } from "node:fs";
import { expect, it } from "vitest";
import { startEndpoint } from "../../src/endpoint/server.ts";
import { createEventBridgeService, TestClock } from "../../src/eventbridge/index.ts";
import { createStepFunctionsService } from "../../src/sfn/index.ts";
import { credentials, REGION, ROLE, tempDataDir } from "./harness.ts";

// The whole path with the real local Step Functions service: a schedule rule fires, EventBridge
// calls StartExecution through the SDK on the endpoint, and the execution is read back with client-sfn.
it("a schedule rule starts a JSONata state machine of the local Step Functions service", async () => {
  const dataDir = tempDataDir();
  const clock = new TestClock(Date.UTC(2026, 10, 26, 10, 0, 0));
  let url = "";
  const events = createEventBridgeService({ dataDir, clock, endpointUrl: () => url, log: () => undefined });
  const states = createStepFunctionsService({ dataDir, endpointUrl: () => url });
  const endpoint = await startEndpoint({ services: [events, states] });
  url = endpoint.url;
  clock.waitFor(() => events.idle());
  const eb = new EventBridgeClient({ endpoint: url, region: REGION, credentials });
  const sfn = new SFNClient({ endpoint: url, region: REGION, credentials });
  try {
    const definition = {
      QueryLanguage: "JSONata",
      StartAt: "Plan",
      States: { Plan: { Type: "Pass", Output: "{% {'triggeredBy': $states.input.resources[0], 'kind': $states.input.`detail-type`} %}", End: true } },
    };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "Load", definition: JSON.stringify(definition), roleArn: ROLE }));
    const { RuleArn } = await eb.send(new PutRuleCommand({ Name: "load-every-5", ScheduleExpression: "rate(5 minutes)" }));
    await eb.send(new PutTargetsCommand({ Rule: "load-every-5", Targets: [{ Id: "load", Arn: stateMachineArn!, RoleArn: ROLE }] }));
    await clock.advance(10 * 60_000);
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions).toHaveLength(2);
    const outcome = await states.waitForExecution(executions![0]!.executionArn!);
    expect(outcome.status).toBe("SUCCEEDED");
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: executions![0]!.executionArn }));
    expect(JSON.parse(described.output!)).toEqual({ triggeredBy: RuleArn, kind: "Scheduled Event" });
  } finally {
    eb.destroy();
    sfn.destroy();
    await endpoint.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
