import { TaskFailure } from "../../interpreter/contract.ts";

/** What an SDK v3 service exception carries. */
interface ServiceException {
  readonly name: string;
  readonly message: string;
  readonly $fault: string;
  readonly $metadata: { readonly httpStatusCode?: number; readonly requestId?: string; readonly extendedRequestId?: string };
}

export function isServiceException(error: unknown): error is ServiceException {
  return error instanceof Error && "$metadata" in error && "$fault" in error;
}

function withExceptionSuffix(name: string): string {
  return name.endsWith("Exception") ? name : `${name}Exception`;
}

/**
 * An aws-sdk integration's failure as AWS names it: `<Service>.<Error>Exception` (the suffix is
 * added when the API's error name lacks it, `S3.NoSuchKeyException`); an error the API does not
 * model is `<Service>.<Service>Exception`. `baseExceptionClass` is the client package's base
 * exception (`S3ServiceException`), which the SDK uses for unmodeled errors.
 */
export function awsSdkFailure(errorPrefix: string, baseExceptionClass: string, error: unknown): TaskFailure {
  if (!isServiceException(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new TaskFailure(`${errorPrefix}.SdkClientException`, `Unable to execute HTTP request: ${message}`, { cause: error });
  }
  const modeled = error.constructor.name !== baseExceptionClass;
  const name = withExceptionSuffix(modeled ? error.name : errorPrefix);
  const meta = error.$metadata;
  const details = [`Service: ${errorPrefix}`, `Status Code: ${meta.httpStatusCode ?? 0}`, `Request ID: ${meta.requestId ?? "null"}`];
  if (meta.extendedRequestId) details.push(`Extended Request ID: ${meta.extendedRequestId}`);
  return new TaskFailure(`${errorPrefix}.${name}`, `${error.message} (${details.join(", ")})`, { cause: error });
}

/**
 * An optimized integration's failure (`sns:publish`, `states:startExecution`, `events:putEvents`):
 * `<Prefix>.<ErrorCode>Exception` with the cause in the Java SDK's wording AWS shows.
 */
export function optimizedFailure(errorPrefix: string, serviceName: string, error: unknown): TaskFailure {
  if (!isServiceException(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new TaskFailure("States.TaskFailed", `Unable to execute HTTP request: ${message}`, { cause: error });
  }
  const meta = error.$metadata;
  const cause =
    `${error.message} (Service: ${serviceName}; Status Code: ${meta.httpStatusCode ?? 0}; Error Code: ${error.name}; ` +
    `Request ID: ${meta.requestId ?? "null"}; Proxy: null)`;
  return new TaskFailure(`${errorPrefix}.${withExceptionSuffix(error.name)}`, cause, { cause: error });
}

/** A Task that cannot run as written (bad arguments, missing client package): `States.Runtime`. */
export function runtimeFailure(stateName: string, message: string): TaskFailure {
  return new TaskFailure("States.Runtime", `An error occurred while executing the state '${stateName}'. ${message}`);
}
