/**
 * A stand-in for the Step Functions API (AWS JSON 1.0) with the state machine calls a deployment
 * makes and AWS's semantics for them: CreateStateMachine is idempotent for an identical
 * definition and role and refuses a different one (`StateMachineAlreadyExists`), ARNs use the
 * service's own account, ListStateMachines pages.
 */
import type { EndpointService } from "../../../src/endpoint/service.ts";
import { amzTarget, signingService } from "../../../src/endpoint/signing.ts";
import { json, StubApiError, type RecordedCall } from "./recorder.ts";

export interface StubStateMachine {
  readonly name: string;
  readonly arn: string;
  definition: string;
  roleArn: string;
  readonly type: string;
}

export interface SfnStub extends EndpointService {
  readonly calls: RecordedCall[];
  readonly machines: Map<string, StubStateMachine>;
}

export function createSfnStub(options: { accountId: string; region?: string; pageSize?: number }): SfnStub {
  const calls: RecordedCall[] = [];
  const machines = new Map<string, StubStateMachine>();
  const region = options.region ?? "us-east-1";
  const byArn = (arn: unknown) => {
    const found = [...machines.values()].find((m) => m.arn === arn);
    if (!found) throw new StubApiError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${String(arn)}'`);
    return found;
  };
  const checkDefinition = (definition: unknown) => {
    try {
      JSON.parse(String(definition));
    } catch {
      throw new StubApiError("InvalidDefinition", "Invalid State Machine Definition: not JSON");
    }
  };

  const operations: Record<string, (input: Record<string, any>) => unknown> = {
    CreateStateMachine(input) {
      checkDefinition(input.definition);
      if (!input.roleArn) throw new StubApiError("ValidationException", "roleArn is required");
      const existing = machines.get(input.name);
      if (existing) {
        if (existing.definition === input.definition && existing.roleArn === input.roleArn) {
          return { stateMachineArn: existing.arn, creationDate: 1 };
        }
        throw new StubApiError("StateMachineAlreadyExists", `State Machine Already Exists: '${existing.arn}'`);
      }
      const arn = `arn:aws:states:${region}:${options.accountId}:stateMachine:${input.name}`;
      machines.set(input.name, { name: input.name, arn, definition: input.definition, roleArn: input.roleArn, type: input.type ?? "STANDARD" });
      return { stateMachineArn: arn, creationDate: Date.now() / 1000 };
    },
    UpdateStateMachine(input) {
      const machine = byArn(input.stateMachineArn);
      if (input.definition !== undefined) {
        checkDefinition(input.definition);
        machine.definition = input.definition;
      }
      if (input.roleArn !== undefined) machine.roleArn = input.roleArn;
      return { updateDate: Date.now() / 1000 };
    },
    DescribeStateMachine(input) {
      const m = byArn(input.stateMachineArn);
      return { stateMachineArn: m.arn, name: m.name, status: "ACTIVE", definition: m.definition, roleArn: m.roleArn, type: m.type, creationDate: 1 };
    },
    ListStateMachines(input) {
      const all = [...machines.values()].sort((a, b) => a.name.localeCompare(b.name));
      const size = Math.min(input.maxResults ?? 100, options.pageSize ?? 100);
      const start = input.nextToken ? Number(input.nextToken) : 0;
      const page = all.slice(start, start + size);
      return {
        stateMachines: page.map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: 1 })),
        ...(start + size < all.length ? { nextToken: String(start + size) } : {}),
      };
    },
  };

  const contentType = "application/x-amz-json-1.0";
  return {
    name: "sfn-stub",
    calls,
    machines,
    matches: (req) => signingService(req) === "states" && amzTarget(req)?.prefix === "AWSStepFunctions",
    async handle(req) {
      const operation = amzTarget(req)!.operation;
      const input = JSON.parse(req.body.toString("utf8") || "{}") as Record<string, any>;
      calls.push({ operation, input });
      const run = operations[operation];
      try {
        if (!run) throw new StubApiError("UnknownOperationException", `stub has no ${operation}`);
        return json(200, run(input), contentType);
      } catch (error) {
        if (!(error instanceof StubApiError)) throw error;
        return json(error.status, { __type: error.code, message: error.message }, contentType);
      }
    },
  };
}
