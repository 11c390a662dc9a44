import { SdkPackageMissingError } from "../errors.ts";
import type { SdkService } from "./sdk-services.ts";

export type SdkModule = Readonly<Record<string, unknown>>;

/** The part of an SDK v3 client the integrations use. */
export interface SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<Record<string, unknown>>;
  destroy(): void;
  readonly middlewareStack: {
    add(middleware: (next: Handler) => Handler, options: { step: "deserialize"; name: string }): void;
  };
}
type Handler = (args: unknown) => Promise<{ response: unknown; output: unknown }>;

/** Raw HTTP answer headers of a call, kept on its output for the optimized integrations' `SdkHttpMetadata`. */
export const RESPONSE_HEADERS = Symbol("freshet.responseHeaders");

export interface SdkClientOptions {
  readonly region: string;
  /** The embedded endpoint; when it answers undefined, clients reach AWS with the default credentials. */
  readonly endpointUrl?: () => string | undefined;
}

const modules = new Map<string, Promise<SdkModule>>();

/** Imports a client package once; `SdkPackageMissingError` if it is not installed. */
export function loadSdkPackage(service: SdkService): Promise<SdkModule> {
  let loading = modules.get(service.packageName);
  if (!loading) {
    loading = (import(service.packageName) as Promise<SdkModule>).catch((error: unknown) => {
      modules.delete(service.packageName);
      if ((error as { code?: string }).code === "ERR_MODULE_NOT_FOUND") throw new SdkPackageMissingError(service.packageName, { cause: error });
      throw error;
    });
    modules.set(service.packageName, loading);
  }
  return loading;
}

/** One SDK client per service and endpoint, built on first use and destroyed by `destroy()`. */
export class SdkClients {
  private readonly options: SdkClientOptions;
  private readonly clients = new Map<string, SdkClient>();

  constructor(options: SdkClientOptions) {
    this.options = options;
  }

  async get(service: SdkService): Promise<{ client: SdkClient; module: SdkModule }> {
    const module = await loadSdkPackage(service);
    const endpoint = this.options.endpointUrl?.();
    const key = `${service.packageName} ${endpoint ?? ""}`;
    let client = this.clients.get(key);
    if (!client) {
      const Client = module[service.clientClass] as new (config: object) => SdkClient;
      client = new Client({
        region: this.options.region,
        ...(endpoint
          ? { endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" }, forcePathStyle: true }
          : {}),
      });
      client.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          const headers = (result.response as { headers?: unknown } | undefined)?.headers;
          if (typeof result.output === "object" && result.output !== null && headers) {
            Object.defineProperty(result.output, RESPONSE_HEADERS, { value: headers, enumerable: false });
          }
          return result;
        },
        { step: "deserialize", name: "freshetResponseHeaders" },
      );
      this.clients.set(key, client);
    }
    return { client, module };
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
