import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
} from "@aws-sdk/client-scheduler";
import { rmSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEndpoint, type RunningEndpoint } from "../../src/endpoint/server.ts";
import { TestClock } from "../../src/eventbridge/index.ts";
import { createSchedulerService, type SchedulerService } from "../../src/scheduler/index.ts";
import { ACCOUNT, credentials, REGION, ROLE, serviceError, STATE_MACHINE, stepFunctionsStub, tempDataDir } from "../eventbridge/harness.ts";

interface Harness {
  dataDir: string;
  clock: TestClock;
  endpoint: RunningEndpoint;
  client: SchedulerClient;
  scheduler: SchedulerService;
  sfn: ReturnType<typeof stepFunctionsStub>;
  stop(): Promise<void>;
}

async function start(
  dataDir = tempDataDir(),
  clock = new TestClock(Date.UTC(2026, 10, 26, 10, 2, 30)),
  allowSecondRates = false,
): Promise<Harness> {
  const sfn = stepFunctionsStub();
  let url = "";
  const scheduler = createSchedulerService({ dataDir, clock, endpointUrl: () => url, log: () => undefined, allowSecondRates });
  const endpoint = await startEndpoint({ services: [scheduler, sfn.service] });
  url = endpoint.url;
  clock.waitFor(() => scheduler.idle());
  const client = new SchedulerClient({ endpoint: url, region: REGION, credentials, maxAttempts: 1 });
  return {
    dataDir,
    clock,
    endpoint,
    client,
    scheduler,
    sfn,
    async stop() {
      client.destroy();
      await endpoint.close();
    },
  };
}

let h: Harness;
beforeEach(async () => {
  h = await start();
});
afterEach(async () => {
  await h.stop();
  rmSync(h.dataDir, { recursive: true, force: true });
});

const minutes = (n: number) => n * 60_000;
const schedule = (over: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: "load",
  ScheduleExpression: "rate(5 minutes)",
  FlexibleTimeWindow: { Mode: "OFF" },
  Target: { Arn: STATE_MACHINE, RoleArn: ROLE, Input: '{"window":"<aws.scheduler.scheduled-time>","by":"<aws.scheduler.schedule-arn>"}' },
  ...over,
});

describe("schedule API", () => {
  it("creates, gets, updates, lists and deletes schedules with AWS's ARNs and fields", async () => {
    const { ScheduleArn } = await h.client.send(new CreateScheduleCommand(schedule({ Description: "every five" })));
    expect(ScheduleArn).toBe(`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/load`);
    const got = await h.client.send(new GetScheduleCommand({ Name: "load" }));
    expect(got).toMatchObject({
      Arn: ScheduleArn,
      GroupName: "default",
      Name: "load",
      ScheduleExpression: "rate(5 minutes)",
      ScheduleExpressionTimezone: "UTC",
      State: "ENABLED",
      Description: "every five",
      FlexibleTimeWindow: { Mode: "OFF" },
      ActionAfterCompletion: "NONE",
      Target: { Arn: STATE_MACHINE, RoleArn: ROLE },
    });
    expect(got.CreationDate?.getTime()).toBe(h.clock.now());
    await h.client.send(new UpdateScheduleCommand({ ...schedule(), ScheduleExpression: "cron(0 2 * * ? *)", State: "DISABLED" } as never));
    const updated = await h.client.send(new GetScheduleCommand({ Name: "load" }));
    expect(updated).toMatchObject({ ScheduleExpression: "cron(0 2 * * ? *)", State: "DISABLED" });
    expect(updated.Description).toBeUndefined();
    const listed = await h.client.send(new ListSchedulesCommand({}));
    expect(listed.Schedules?.map((s) => [s.Name, s.GroupName, s.State, s.Target?.Arn])).toEqual([["load", "default", "DISABLED", STATE_MACHINE]]);
    await h.client.send(new DeleteScheduleCommand({ Name: "load" }));
    expect((await h.client.send(new ListSchedulesCommand({}))).Schedules).toEqual([]);
  });

  it("answers ValidationException, ConflictException and ResourceNotFoundException as AWS does", async () => {
    for (const expr of ["rate(1 minutes)", "cron(0 1 * * * *)", "at(2026-13-01T00:00:00)", "every 5 minutes"]) {
      const bad = await serviceError(h.client.send(new CreateScheduleCommand(schedule({ ScheduleExpression: expr }))));
      expect([bad.name, bad.message, bad.$metadata.httpStatusCode]).toEqual(["ValidationException", `Invalid Schedule Expression ${expr}`, 400]);
    }
    const zone = await serviceError(h.client.send(new CreateScheduleCommand(schedule({ ScheduleExpressionTimezone: "Mars/Olympus" }))));
    expect(zone.name).toBe("ValidationException");
    await h.client.send(new CreateScheduleCommand(schedule()));
    const again = await serviceError(h.client.send(new CreateScheduleCommand(schedule())));
    expect([again.name, again.message, again.$metadata.httpStatusCode]).toEqual(["ConflictException", "Schedule load already exists.", 409]);
    const missing = await serviceError(h.client.send(new GetScheduleCommand({ Name: "nope" })));
    expect([missing.name, missing.message, missing.$metadata.httpStatusCode]).toEqual(["ResourceNotFoundException", "Schedule nope does not exist.", 404]);
    const group = await serviceError(h.client.send(new CreateScheduleCommand(schedule({ GroupName: "nope" }))));
    expect([group.name, group.message]).toEqual(["ResourceNotFoundException", "Schedule group nope does not exist."]);
    const update = await serviceError(h.client.send(new UpdateScheduleCommand({ ...schedule(), Name: "nope" } as never)));
    expect(update.name).toBe("ResourceNotFoundException");
  });

  it("refuses rate(N seconds) like AWS, and fires it only where the local platform allows it", async () => {
    const refused = await serviceError(h.client.send(new CreateScheduleCommand(schedule({ ScheduleExpression: "rate(5 seconds)" }))));
    expect(refused.name).toBe("ValidationException");
    const local = await start(tempDataDir(), new TestClock(Date.UTC(2026, 10, 26, 10, 0, 0)), true);
    try {
      await local.client.send(new CreateScheduleCommand(schedule({ ScheduleExpression: "rate(5 seconds)" })));
      await local.clock.advance(21_000);
      expect(local.sfn.executions.length).toBeGreaterThanOrEqual(4); // at :00 (creation), :05, :10, :15, :20
    } finally {
      await local.stop();
      rmSync(local.dataDir, { recursive: true, force: true });
    }
  });

  it("keeps schedules in groups and lists them by group, prefix and state", async () => {
    await h.client.send(new CreateScheduleGroupCommand({ Name: "warehouse" }));
    await h.client.send(new CreateScheduleCommand(schedule({ Name: "load", GroupName: "warehouse" })));
    await h.client.send(new CreateScheduleCommand(schedule({ Name: "load" })));
    await h.client.send(new CreateScheduleCommand(schedule({ Name: "vacuum", GroupName: "warehouse", State: "DISABLED" })));
    const inGroup = await h.client.send(new ListSchedulesCommand({ GroupName: "warehouse" }));
    expect(inGroup.Schedules?.map((s) => s.Name)).toEqual(["load", "vacuum"]);
    const enabled = await h.client.send(new ListSchedulesCommand({ State: "ENABLED", NamePrefix: "lo" }));
    expect(enabled.Schedules?.map((s) => `${s.GroupName}/${s.Name}`)).toEqual(["default/load", "warehouse/load"]);
    const paged = await h.client.send(new ListSchedulesCommand({ MaxResults: 2 }));
    expect(paged.Schedules).toHaveLength(2);
    const rest = await h.client.send(new ListSchedulesCommand({ MaxResults: 2, NextToken: paged.NextToken }));
    expect(rest.Schedules?.map((s) => s.Name)).toEqual(["vacuum"]);
  });
});

describe("firing", () => {
  it("starts the target at once for a rate without start date, then every interval, with the context attributes filled in", async () => {
    const { ScheduleArn } = await h.client.send(new CreateScheduleCommand(schedule()));
    await h.clock.advance(minutes(11));
    expect(h.sfn.executions).toHaveLength(3);
    expect(h.sfn.executions.map((e) => e.input)).toEqual(
      [0, 5, 10].map((m) => ({ window: new Date(Date.UTC(2026, 10, 26, 10, 2 + m, 30)).toISOString().replace(".000Z", "Z"), by: ScheduleArn })),
    );
  });

  it("fires a rate at its creation even when the clock moves before its timer is armed", async () => {
    // Every reading of this clock is a millisecond later than the one before: the schedule is
    // created at one instant and its timer armed at the next (a busy process, for real).
    class MovingClock extends TestClock {
      #readings = 0;
      override now(): number {
        return super.now() + this.#readings++;
      }
    }
    const moving = await start(tempDataDir(), new MovingClock(Date.UTC(2026, 10, 26, 10, 2, 30)));
    try {
      await moving.client.send(new CreateScheduleCommand(schedule()));
      await moving.clock.advance(minutes(6));
      expect(moving.sfn.executions).toHaveLength(2);
    } finally {
      await moving.stop();
    }
  });

  it("fires cron schedules in their time zone, only between start and end dates", async () => {
    await h.client.send(
      new CreateScheduleCommand(
        schedule({
          ScheduleExpression: "cron(0 12 * * ? *)",
          ScheduleExpressionTimezone: "Europe/Stockholm",
          StartDate: new Date(Date.UTC(2026, 10, 27)),
          EndDate: new Date(Date.UTC(2026, 10, 29, 10)),
          Target: { Arn: STATE_MACHINE, RoleArn: ROLE, Input: '"<aws.scheduler.scheduled-time>"' },
        }),
      ),
    );
    await h.clock.advance(minutes(60 * 24 * 6));
    // Noon in Stockholm is 11:00 UTC in November; the 26th is before the start, the 29th after the end.
    expect(h.sfn.executions.map((e) => e.input)).toEqual(["2026-11-27T11:00:00Z", "2026-11-28T11:00:00Z"]);
  });

  it("sends {} to a target without input", async () => {
    await h.client.send(new CreateScheduleCommand(schedule({ Target: { Arn: STATE_MACHINE, RoleArn: ROLE } })));
    await h.clock.advance(minutes(1));
    expect(h.sfn.executions.map((e) => e.input)).toEqual([{}]);
  });

  it("fires an at() schedule once and deletes it afterwards when ActionAfterCompletion is DELETE", async () => {
    await h.client.send(
      new CreateScheduleCommand(schedule({ Name: "once", ScheduleExpression: "at(2026-11-26T10:30:00)", ActionAfterCompletion: "DELETE" })),
    );
    await h.client.send(new CreateScheduleCommand(schedule({ Name: "kept", ScheduleExpression: "at(2026-11-26T10:40:00)" })));
    await h.clock.advance(minutes(60));
    expect(h.sfn.executions).toHaveLength(2);
    expect((await h.client.send(new ListSchedulesCommand({}))).Schedules?.map((s) => s.Name)).toEqual(["kept"]);
  });

  it("does not fire disabled schedules, and resumes after an update enables them", async () => {
    await h.client.send(new CreateScheduleCommand(schedule({ State: "DISABLED" })));
    await h.clock.advance(minutes(20));
    expect(h.sfn.executions).toHaveLength(0);
    await h.client.send(new UpdateScheduleCommand({ ...schedule(), State: "ENABLED" } as never));
    await h.clock.advance(minutes(1));
    expect(h.sfn.executions).toHaveLength(1);
  });

  it("keeps schedules across a restart and goes on firing them", async () => {
    await h.client.send(new CreateScheduleCommand(schedule({ ScheduleExpression: "cron(0/5 * * * ? *)" })));
    await h.clock.advance(minutes(5));
    expect(h.sfn.executions).toHaveLength(1);
    await h.stop();
    const restarted = await start(h.dataDir, h.clock);
    try {
      await h.clock.advance(minutes(10));
      expect(restarted.sfn.executions).toHaveLength(2);
      expect((await restarted.client.send(new GetScheduleCommand({ Name: "load" }))).ScheduleExpression).toBe("cron(0/5 * * * ? *)");
    } finally {
      await restarted.stop();
    }
  });
});
