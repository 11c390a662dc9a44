import { ListExecutionsCommand, SFNClient, type ExecutionListItem } from "@aws-sdk/client-sfn";

export interface ExecutionTally {
  readonly succeeded: number;
  readonly failed: number;
  readonly running: number;
  readonly latest?: { readonly workflow: string; readonly status: string; readonly at: Date };
}

/**
 * Counts the executions of the deployed workflows through the Step Functions API (what the
 * console and `freshet executions list` show), for `npm start`'s status line.
 */
export async function tallyExecutions(client: SFNClient, stateMachines: readonly { name: string; arn: string }[]): Promise<ExecutionTally> {
  let succeeded = 0;
  let failed = 0;
  let running = 0;
  let latest: ExecutionTally["latest"];
  for (const machine of stateMachines) {
    const items: ExecutionListItem[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListExecutionsCommand({ stateMachineArn: machine.arn, nextToken: token, maxResults: 1000 }));
      items.push(...(page.executions ?? []));
      token = page.nextToken;
    } while (token);
    for (const e of items) {
      if (e.status === "SUCCEEDED") succeeded++;
      else if (e.status === "RUNNING") running++;
      else failed++;
      const at = e.stopDate ?? e.startDate;
      if (at && (!latest || at > latest.at)) latest = { workflow: machine.name, status: e.status ?? "?", at };
    }
  }
  return latest ? { succeeded, failed, running, latest } : { succeeded, failed, running };
}
