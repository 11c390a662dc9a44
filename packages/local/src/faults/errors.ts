import { FreshetError } from "@freshet/core";

/** Base of the failures the fault harness injects (never raised outside a test's faults). */
export class InjectedFaultError extends FreshetError {
  override readonly name: string = "InjectedFaultError";
}

/**
 * A call the service ran whose answer never reached the caller, as when the connection drops
 * after the request was served; the endpoint answers it as its 500 `InternalFailure`.
 */
export class AnswerLostError extends InjectedFaultError {
  override readonly name = "AnswerLostError";
}

/** The function died part-way through an invocation (thrown, or its worker killed). */
export class InvocationDiedError extends InjectedFaultError {
  override readonly name = "InvocationDiedError";
}
