import type { EndpointRequest, EndpointResponse, EndpointService } from "../endpoint/service.ts";
import { amzTarget } from "../endpoint/signing.ts";
import { AnswerLostError } from "./errors.ts";

/** One Redshift Data API call as a fault sees it: the operation and its JSON input. */
export interface DataApiCall {
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * Faults at the Data API's door, around the statements' own (`StatementFaults`): what the
 * caller sees, not what the warehouse does.
 */
export interface DataApiFaults {
  /** Before a call is served; a returned promise holds the call until it settles. */
  readonly beforeCall?: (call: DataApiCall) => Promise<void> | undefined;
  /**
   * After a call was served, with its output when it succeeded: true loses the answer (the call
   * took effect, the caller gets a 500 as after a dropped connection). A promise holds the answer
   * until it settles, so a test can lose it only once the statement it started has ended.
   */
  readonly loseAnswer?: (call: DataApiCall, output: Readonly<Record<string, unknown>> | undefined) => boolean | Promise<boolean>;
}

/** The Data API service with `faults` around each call; everything else passes through. */
export function withDataApiFaults<S extends EndpointService>(service: S, faults: DataApiFaults): S {
  return {
    ...service,
    matches: (req: EndpointRequest) => service.matches(req),
    async handle(req: EndpointRequest): Promise<EndpointResponse> {
      const call: DataApiCall = { operation: amzTarget(req)?.operation ?? "", input: jsonObject(req.body) ?? {} };
      await faults.beforeCall?.(call);
      const response = await service.handle(req);
      const output = response.status === 200 && typeof response.body === "string" ? jsonObject(Buffer.from(response.body)) : undefined;
      if (await faults.loseAnswer?.(call, output)) throw new AnswerLostError(`the answer to ${call.operation} was lost (injected fault)`);
      return response;
    },
    ...(service.close ? { close: () => service.close!() } : {}),
  };
}

function jsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
