import { FreshetError } from "@freshet/core";
import { JsonApiError } from "../../endpoint/json-protocol.ts";

/**
 * An error Step Functions answers on the wire (see JsonApiError): `InvalidDefinition`,
 * `ExecutionDoesNotExist`, …
 */
export class SfnApiError extends JsonApiError {
  override readonly name = "SfnApiError";
}

/** The service's files cannot be read or written (not a client mistake). */
export class SfnStorageError extends FreshetError {
  override readonly name = "SfnStorageError";
}

export function validationError(message: string): SfnApiError {
  return new SfnApiError("ValidationException", message);
}

/** AWS's wording for a missing required member. */
export function missingMember(member: string): SfnApiError {
  return validationError(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
}

export function invalidArn(arn: string, reason = "Resource type not valid in this context"): SfnApiError {
  return new SfnApiError("InvalidArn", `Invalid Arn: '${reason}: ${arn}'`);
}

export function stateMachineDoesNotExist(arn: string): SfnApiError {
  return new SfnApiError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
}

export function executionDoesNotExist(arn: string): SfnApiError {
  return new SfnApiError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
}

export function invalidToken(message = "Invalid token"): SfnApiError {
  return new SfnApiError("InvalidToken", message);
}

/** A Task `Resource` the local runtime cannot run; CreateStateMachine reports it as `InvalidDefinition`. */
export class UnsupportedResourceError extends FreshetError {
  override readonly name = "UnsupportedResourceError";
  readonly resource: string;
  constructor(resource: string, reason: string, options?: ErrorOptions) {
    super(`${reason}: ${resource}`, options);
    this.resource = resource;
  }
}

/** The SDK v3 package an aws-sdk Task needs is not installed. */
export class SdkPackageMissingError extends FreshetError {
  override readonly name = "SdkPackageMissingError";
  readonly packageName: string;
  constructor(packageName: string, options?: ErrorOptions) {
    super(`The package ${packageName} is not installed (npm install ${packageName})`, options);
    this.packageName = packageName;
  }
}

/** A Task's arguments do not fit the API it calls (an unknown field, a list where an object goes). */
export class ArgumentShapeError extends FreshetError {
  override readonly name = "ArgumentShapeError";
}
