import { UnsupportedResourceError } from "../errors.ts";
import { SDK_SERVICES } from "./sdk-services.ts";

/** What a Task's `Resource` asks for. */
export type Integration =
  | { readonly kind: "lambda:invoke" }
  /** The older form: the function's ARN as the resource; the result is the function's payload. */
  | { readonly kind: "lambda:function"; readonly functionName: string }
  | { readonly kind: "sns:publish" }
  | { readonly kind: "events:putEvents" }
  | { readonly kind: "states:startExecution" }
  | { readonly kind: "aws-sdk"; readonly service: string; readonly action: string };

export interface ParsedResource {
  readonly integration: Integration;
  /** The `.waitForTaskToken` pattern: the task ends on SendTaskSuccess/Failure for its token. */
  readonly waitForTaskToken: boolean;
}

const STATES_RESOURCE = /^arn:aws[a-z-]*:states:[a-z0-9-]*:(?:\d{12})?:(.+)$/;
const LAMBDA_FUNCTION = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$/;
const OPTIMIZED = new Set(["lambda:invoke", "sns:publish", "events:putEvents", "states:startExecution"]);
const WAIT_FOR_TASK_TOKEN = ".waitForTaskToken";

/** Parses a Task `Resource`, throwing `UnsupportedResourceError` for anything the local runtime cannot run. */
export function parseResource(resource: string): ParsedResource {
  const lambda = LAMBDA_FUNCTION.exec(resource);
  if (lambda) return { integration: { kind: "lambda:function", functionName: lambda[1]! }, waitForTaskToken: false };
  const match = STATES_RESOURCE.exec(resource);
  if (!match) throw new UnsupportedResourceError(resource, "Not a Task resource the local runtime can run (activities are not supported)");
  let tail = match[1]!;
  const waitForTaskToken = tail.endsWith(WAIT_FOR_TASK_TOKEN);
  if (waitForTaskToken) tail = tail.slice(0, -WAIT_FOR_TASK_TOKEN.length);
  if (/\.sync(:2)?$/.test(tail)) {
    throw new UnsupportedResourceError(resource, "The .sync integration pattern is not supported by the local runtime");
  }
  if (tail.startsWith("aws-sdk:")) {
    const [, service, action, ...rest] = tail.split(":");
    if (!service || !action || rest.length > 0 || !/^[a-z][A-Za-z0-9]*$/.test(action)) {
      throw new UnsupportedResourceError(resource, "An aws-sdk resource is arn:aws:states:::aws-sdk:<service>:<action>");
    }
    if (!Object.hasOwn(SDK_SERVICES, service)) {
      throw new UnsupportedResourceError(
        resource,
        `The local runtime knows no SDK client for the service '${service}' (known: ${Object.keys(SDK_SERVICES).join(", ")})`,
      );
    }
    return { integration: { kind: "aws-sdk", service, action }, waitForTaskToken };
  }
  if (OPTIMIZED.has(tail)) return { integration: { kind: tail } as Integration, waitForTaskToken };
  throw new UnsupportedResourceError(
    resource,
    "Not an integration the local runtime runs (lambda:invoke, sns:publish, events:putEvents, states:startExecution, aws-sdk:<service>:<action>)",
  );
}
