import { FreshetError } from "@freshet/core";

/** `freshet audit` was given options it cannot use (a time that is not ISO-8601, `--from` after `--to`). */
export class UsageError extends FreshetError {
  override readonly name = "UsageError";
}

/** The audit statement did not finish: its DescribeStatement status and error. */
export class AuditQueryError extends FreshetError {
  override readonly name = "AuditQueryError";
}

/** `freshet executions`: a mistake of the operator's (exit code 2 with usage) or a lookup that found nothing (1). */
export class CommandError extends FreshetError {
  override readonly name = "CommandError";
  readonly exitCode: number;
  constructor(message: string, exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** `freshet replay` could not read a raw object or put its records back on the stream. */
export class ReplayError extends FreshetError {
  override readonly name = "ReplayError";
}

/**
 * What went wrong and what to do about it, for the errors every command can meet: no endpoint,
 * no credentials, a stage that is not there. Anything else is shown as it is.
 */
export function explainFailure(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: string }).code ?? (e.cause as { code?: string } | undefined)?.code;
  const text = `${e.name}: ${e.message}`;
  if (code === "ECONNREFUSED" || /ECONNREFUSED|fetch failed|connect ECONNREFUSED/.test(e.message)) {
    return env.AWS_ENDPOINT_URL
      ? `${text}\nNothing answers at ${env.AWS_ENDPOINT_URL}: start Freshet locally with \`npm start\` (or unset AWS_ENDPOINT_URL to use AWS).`
      : `${text}\nAWS could not be reached: check your network and AWS_REGION.`;
  }
  if (e.name === "CredentialsProviderError" || /Could not load credentials/.test(e.message)) {
    return `${text}\nNo AWS credentials: set AWS_PROFILE and AWS_REGION for a deployed stage, or start Freshet locally with \`npm start\`.`;
  }
  if (e.name === "ExpiredTokenException" || e.name === "ExpiredToken") {
    return `${text}\nYour AWS session expired: sign in again (aws sso login --profile $AWS_PROFILE).`;
  }
  if (e.name === "NoSuchBucket") {
    return `${text}\nNo such lake bucket: pass --bucket or set FRESHET_LAKE_BUCKET to the stage's Lake bucket (sst deploy prints it).`;
  }
  if (e.name === "ResourceNotFoundException" || e.name === "StateMachineDoesNotExist") {
    return `${text}\nThe stage has no such resource: is it deployed in this account and AWS_REGION?`;
  }
  if (e.name === "AccessDenied" || e.name === "AccessDeniedException") {
    return `${text}\nYour AWS identity may not do this: use the stage's operator profile (AWS_PROFILE).`;
  }
  return text;
}
