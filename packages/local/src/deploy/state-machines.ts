import {
  CreateStateMachineCommand,
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  UpdateStateMachineCommand,
  type SFNClient,
} from "@aws-sdk/client-sfn";
import type { StateMachineDefinition } from "@freshet/workflows";
import { sameJson } from "./same-json.ts";
import type { DeployAction } from "./types.ts";

export interface StateMachineSpec {
  readonly name: string;
  readonly definition: StateMachineDefinition;
  readonly roleArn: string;
}

/**
 * Creates the state machine, or updates it when its definition or role differ from the spec,
 * found by name (ListStateMachines) so the ARN is whatever the service gives, in AWS or locally.
 */
export async function ensureStateMachine(
  sfn: SFNClient,
  spec: StateMachineSpec,
): Promise<{ arn: string; action: DeployAction }> {
  const definition = JSON.stringify(spec.definition);
  const existing = await findByName(sfn, spec.name);
  if (!existing) {
    const created = await sfn.send(
      new CreateStateMachineCommand({ name: spec.name, definition, roleArn: spec.roleArn, type: "STANDARD" }),
    );
    return { arn: created.stateMachineArn!, action: "created" };
  }
  const current = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: existing }));
  if (sameJson(current.definition, definition) && current.roleArn === spec.roleArn) return { arn: existing, action: "unchanged" };
  await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: existing, definition, roleArn: spec.roleArn }));
  return { arn: existing, action: "updated" };
}

async function findByName(sfn: SFNClient, name: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken, maxResults: 100 }));
    const found = page.stateMachines?.find((m) => m.name === name);
    if (found) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}
