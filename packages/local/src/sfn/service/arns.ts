import { invalidArn, SfnApiError, stateMachineDoesNotExist, executionDoesNotExist } from "./errors.ts";

/** The account and region the service lives in: ARNs of any other name resources it does not have. */
export interface Account {
  readonly region: string;
  readonly accountId: string;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([^:]+)(?::([^:]+))?$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):execution:([^:]+):([^:]+)$/;
// AWS's rule for state machine and execution names: no whitespace, brackets, wildcards,
// `"#%\^|~`$&,;:/`, control characters or surrogates.
const FORBIDDEN_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f\ud800-\udfff]/u;

export function stateMachineArn(account: Account, name: string): string {
  return `arn:aws:states:${account.region}:${account.accountId}:stateMachine:${name}`;
}

export function executionArn(account: Account, stateMachineName: string, name: string): string {
  return `arn:aws:states:${account.region}:${account.accountId}:execution:${stateMachineName}:${name}`;
}

/** Throws `InvalidName` unless `name` is one AWS accepts for a state machine or an execution. */
export function checkName(name: string): void {
  if (name.length < 1 || name.length > 80 || FORBIDDEN_NAME.test(name)) {
    throw new SfnApiError("InvalidName", `Invalid Name: '${name}'`);
  }
}

/** The state machine name in an ARN of this account and region (`InvalidArn` if it is no such ARN). */
export function stateMachineNameOf(account: Account, arn: string): string {
  const match = STATE_MACHINE_ARN.exec(arn);
  if (!match) throw invalidArn(arn);
  const [, region, accountId, name, qualifier] = match;
  // Versions and aliases (qualified ARNs) are not kept locally: nothing answers to them.
  if (qualifier !== undefined || region !== account.region || accountId !== account.accountId) {
    throw stateMachineDoesNotExist(arn);
  }
  return name!;
}

/** The state machine and execution names in an execution ARN of this account and region. */
export function executionNamesOf(account: Account, arn: string): { stateMachineName: string; name: string } {
  const match = EXECUTION_ARN.exec(arn);
  if (!match) throw invalidArn(arn);
  const [, region, accountId, stateMachineName, name] = match;
  if (region !== account.region || accountId !== account.accountId) throw executionDoesNotExist(arn);
  return { stateMachineName: stateMachineName!, name: name! };
}
