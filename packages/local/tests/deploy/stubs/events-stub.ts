/**
 * A stand-in for EventBridge's rule API (AWS JSON 1.1): PutRule/PutTargets as upserts, ListRules,
 * ListTargetsByRule, RemoveTargets, and DeleteRule refusing a rule that still has targets, per bus.
 */
import type { EndpointService } from "../../../src/endpoint/service.ts";
import { amzTarget, signingService } from "../../../src/endpoint/signing.ts";
import { json, StubApiError, type RecordedCall } from "./recorder.ts";

export interface StubRule {
  readonly bus: string;
  readonly name: string;
  eventPattern: unknown;
  state: string;
  readonly targets: Map<string, Record<string, any>>;
}

export interface EventsStub extends EndpointService {
  readonly calls: RecordedCall[];
  readonly rules: Map<string, StubRule>;
}

export function createEventsStub(options: { accountId: string; buses: readonly string[] }): EventsStub {
  const calls: RecordedCall[] = [];
  const rules = new Map<string, StubRule>();
  const bus = (input: Record<string, any>) => {
    const name = String(input.EventBusName ?? "default");
    if (!options.buses.includes(name)) throw new StubApiError("ResourceNotFoundException", `Event bus ${name} does not exist.`);
    return name;
  };
  const rule = (input: Record<string, any>, key = "Rule") => {
    const found = rules.get(`${bus(input)}/${input[key]}`);
    if (!found) throw new StubApiError("ResourceNotFoundException", `Rule ${input[key]} does not exist.`);
    return found;
  };
  const arnOf = (r: { bus: string; name: string }) =>
    `arn:aws:events:us-east-1:${options.accountId}:rule/${r.bus === "default" ? "" : `${r.bus}/`}${r.name}`;

  const operations: Record<string, (input: Record<string, any>) => unknown> = {
    PutRule(input) {
      const b = bus(input);
      const pattern = JSON.parse(String(input.EventPattern));
      const current = rules.get(`${b}/${input.Name}`);
      if (current) {
        current.eventPattern = pattern;
        current.state = input.State ?? "ENABLED";
      } else {
        rules.set(`${b}/${input.Name}`, { bus: b, name: input.Name, eventPattern: pattern, state: input.State ?? "ENABLED", targets: new Map() });
      }
      return { RuleArn: arnOf({ bus: b, name: input.Name }) };
    },
    PutTargets(input) {
      const r = rule(input);
      for (const target of input.Targets as Record<string, any>[]) r.targets.set(target.Id, target);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    ListRules(input) {
      const b = bus(input);
      const prefix = String(input.NamePrefix ?? "");
      const listed = [...rules.values()].filter((r) => r.bus === b && r.name.startsWith(prefix));
      return { Rules: listed.map((r) => ({ Name: r.name, EventBusName: r.bus, Arn: arnOf(r), State: r.state, EventPattern: JSON.stringify(r.eventPattern) })) };
    },
    ListTargetsByRule(input) {
      return { Targets: [...rule(input).targets.values()] };
    },
    RemoveTargets(input) {
      const r = rule(input);
      for (const id of input.Ids as string[]) r.targets.delete(id);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    DeleteRule(input) {
      const r = rule(input, "Name");
      if (r.targets.size > 0) throw new StubApiError("ValidationException", "Rule can't be deleted since it has targets.");
      rules.delete(`${r.bus}/${r.name}`);
      return {};
    },
  };

  const contentType = "application/x-amz-json-1.1";
  return {
    name: "events-stub",
    calls,
    rules,
    matches: (req) => signingService(req) === "events" && amzTarget(req)?.prefix === "AWSEvents",
    async handle(req) {
      const operation = amzTarget(req)!.operation;
      const input = JSON.parse(req.body.toString("utf8") || "{}") as Record<string, any>;
      calls.push({ operation, input });
      try {
        const run = operations[operation];
        if (!run) throw new StubApiError("UnknownOperationException", `stub has no ${operation}`);
        return json(200, run(input), contentType);
      } catch (error) {
        if (!(error instanceof StubApiError)) throw error;
        return json(error.status, { __type: error.code, message: error.message }, contentType);
      }
    },
  };
}
