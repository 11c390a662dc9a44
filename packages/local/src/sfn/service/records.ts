import type { ExecutionStatus } from "../interpreter/contract.ts";

export interface LoggingConfiguration {
  readonly level: "ALL" | "ERROR" | "FATAL" | "OFF";
  readonly includeExecutionData: boolean;
  readonly destinations?: readonly unknown[];
}

/** A state machine as the service keeps it (dates in epoch ms). */
export interface StateMachineRecord {
  readonly name: string;
  readonly arn: string;
  /** The definition exactly as the client sent it (DescribeStateMachine returns it verbatim). */
  readonly definition: string;
  readonly roleArn: string;
  readonly type: "STANDARD";
  readonly creationDate: number;
  readonly updateDate?: number;
  readonly loggingConfiguration: LoggingConfiguration;
  readonly tracingConfiguration: { readonly enabled: boolean };
  readonly encryptionConfiguration?: Readonly<Record<string, unknown>>;
  readonly description?: string;
  readonly revisionId: string;
  readonly status: "ACTIVE" | "DELETING";
  readonly tags: Readonly<Record<string, string>>;
}

/** An execution as the service keeps it (dates in epoch ms; input and output as JSON text). */
export interface ExecutionRecord {
  readonly arn: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: number;
  readonly stopDate?: number;
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  /** The definition the execution runs: the one current when it started, as in AWS. */
  readonly definition: string;
  readonly roleArn: string;
  readonly traceHeader?: string;
}
