import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * Points SDK clients at a running `npm start` unless the caller chose a target: with no
 * `AWS_ENDPOINT_URL` and no AWS profile/credentials in the environment, and a `runtime.json` in
 * the data directory, the CLI talks to the local endpoint. Returns the endpoint used, if any.
 */
export function useLocalEndpointIfRunning(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AWS_ENDPOINT_URL) return env.AWS_ENDPOINT_URL;
  if (env.AWS_PROFILE || env.AWS_ACCESS_KEY_ID) return undefined;
  const file = join(resolve(env.FRESHET_DATA_DIR ?? ".freshet"), "runtime.json");
  if (!existsSync(file)) return undefined;
  const { endpointUrl } = JSON.parse(readFileSync(file, "utf8")) as { endpointUrl: string };
  Object.assign(env, {
    AWS_ENDPOINT_URL: endpointUrl,
    AWS_REGION: env.AWS_REGION ?? "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
  });
  return endpointUrl;
}
