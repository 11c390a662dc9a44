import { TaskFailure } from "../../interpreter/contract.ts";
import { ArgumentShapeError, SdkPackageMissingError } from "../errors.ts";
import { awsSdkFailure, runtimeFailure } from "./failures.ts";
import type { SdkClients } from "./sdk-clients.ts";
import { commandClassName, SDK_SERVICES } from "./sdk-services.ts";
import { fromSdkOutput, operationSchemas, toSdkInput } from "./sdk-shapes.ts";

type CommandClass = new (input: unknown) => object;

/**
 * `arn:aws:states:::aws-sdk:<service>:<action>`: the action's SDK v3 command, sent by the
 * service's client (pointed at the embedded endpoint when one is set, else at AWS). The result
 * is the API's output in Step Functions' casing; failures carry AWS's error names.
 */
export async function awsSdkCall(
  clients: SdkClients,
  serviceId: string,
  action: string,
  args: unknown,
  stateName: string,
  signal: AbortSignal,
): Promise<unknown> {
  const service = SDK_SERVICES[serviceId];
  if (!service) throw runtimeFailure(stateName, `The local runtime knows no SDK client for the service '${serviceId}'.`);
  let loaded;
  try {
    loaded = await clients.get(service);
  } catch (error) {
    if (error instanceof SdkPackageMissingError) {
      throw runtimeFailure(stateName, `aws-sdk:${serviceId}:${action} needs ${error.packageName}, which is not installed.`);
    }
    throw error;
  }
  const Command = loaded.module[commandClassName(action)] as CommandClass | undefined;
  if (typeof Command !== "function") {
    throw runtimeFailure(stateName, `${service.packageName} has no ${commandClassName(action)} for aws-sdk:${serviceId}:${action}.`);
  }
  const schemas = operationSchemas(new Command({}));
  let input: unknown;
  try {
    input = toSdkInput(args ?? {}, schemas.input);
  } catch (error) {
    if (error instanceof ArgumentShapeError) throw runtimeFailure(stateName, error.message);
    throw error;
  }
  let output: Record<string, unknown>;
  try {
    output = await loaded.client.send(new Command(input), { abortSignal: signal });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof TaskFailure) throw error;
    throw awsSdkFailure(service.errorPrefix, service.clientClass.replace(/Client$/, "ServiceException"), error);
  }
  return fromSdkOutput(output, schemas.output);
}
