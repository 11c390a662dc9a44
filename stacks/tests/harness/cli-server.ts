/**
 * A stand-in for the SST CLI's RPC server (the CLI serves it at SST_SERVER while it runs
 * sst.config.ts). It answers the calls a deploy makes — bootstrap lookups and function builds —
 * and bundles each handler with esbuild as the CLI's Node runtime does (ESM `bundle.mjs`).
 */
import { build, type Metafile } from "esbuild";
import { existsSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, parse } from "node:path";

export interface BuildRecord {
  readonly functionID: string;
  readonly handler: string;
  readonly runtime: string;
  /** Link name → properties as the function receives them (`Resource.<name>`). */
  readonly links: Record<string, Record<string, unknown>>;
  /** The `nodejs` options plus `architecture`, as `sst.aws.Function` passed them. */
  readonly properties: Record<string, unknown>;
  readonly entry: string;
  readonly outFile: string;
  readonly bytes: number;
  /** Packages left out of the bundle (imported at run time from the Lambda runtime). */
  readonly externalImports: readonly string[];
}

export interface RpcCall {
  readonly method: string;
  readonly args: unknown;
}

export interface CliServer {
  readonly url: string;
  readonly calls: RpcCall[];
  readonly builds: BuildRecord[];
  close(): Promise<void>;
}

// The CLI's esbuild targets per Lambda runtime and the packages it never bundles.
const TARGETS: Record<string, string> = { "nodejs24.x": "es2024", "nodejs22.x": "es2023", "nodejs20.x": "es2023" };
const FORCE_EXTERNAL = ["sharp", "pg-native"];
const ESM_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
].join("\n");

type BuildInput = {
  functionID: string;
  handler: string;
  runtime: string;
  links?: Record<string, Record<string, unknown>>;
  properties?: {
    minify?: boolean;
    format?: "esm" | "cjs";
    install?: Record<string, string>;
    esbuild?: { external?: string[] };
    banner?: string;
    [key: string]: unknown;
  };
};

export async function startCliServer(options: { root: string; workDir: string }): Promise<CliServer> {
  const calls: RpcCall[] = [];
  const builds: BuildRecord[] = [];

  const handlers: Record<string, (args: any) => Promise<unknown> | unknown> = {
    "Provider.Aws.Bootstrap": () => ({
      asset: "sst-asset-mock",
      assetEcrRegistryId: "123456789012",
      assetEcrUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/sst-asset",
      state: "sst-state-mock",
      appsyncHttp: "mock.appsync-api.us-east-1.amazonaws.com",
      appsyncRealtime: "mock.appsync-realtime-api.us-east-1.amazonaws.com",
    }),
    "Runtime.AddTarget": () => ({}),
    "Runtime.Build": async (input: BuildInput) => {
      const result = await bundle(options, input);
      if (result.record) builds.push(result.record);
      return result.response;
    },
  };

  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", async () => {
      let reply: { result?: unknown; error?: string };
      try {
        const { method, params } = JSON.parse(body) as { method: string; params: unknown[] };
        const args = params[0];
        calls.push({ method, args });
        const handler = handlers[method];
        // Same wording as Go's net/rpc, which SST's client maps to MethodNotFoundError.
        reply = handler ? { result: await handler(args) } : { error: `rpc: can't find method ${method}` };
      } catch (error) {
        reply = { error: error instanceof Error ? error.message : String(error) };
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: null, ...reply }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    builds,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

async function bundle(
  options: { root: string; workDir: string },
  input: BuildInput,
): Promise<{ response: unknown; record?: BuildRecord }> {
  const { dir, name, ext } = parse(input.handler);
  const base = join(options.root, dir, name);
  const entry = [".ts", ".mts", ".js", ".mjs", ".tsx", ".jsx"].map((e) => base + e).find((f) => existsSync(f));
  if (!entry) return { response: { handler: "", out: "", errors: [`handler not found: ${input.handler}`], sourcemaps: [] } };

  const props = input.properties ?? {};
  const out = join(options.workDir, "artifacts", `${input.functionID}-src`);
  mkdirSync(out, { recursive: true });
  const cjs = props.format === "cjs";
  const outFile = join(out, cjs ? "bundle.cjs" : "bundle.mjs");
  const external = [...FORCE_EXTERNAL, ...Object.keys(props.install ?? {}), ...(props.esbuild?.external ?? [])];

  const result = await build({
    absWorkingDir: options.root,
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: "node",
    format: cjs ? "cjs" : "esm",
    target: TARGETS[input.runtime] ?? "es2022",
    mainFields: cjs ? ["main"] : ["module", "main"],
    external,
    keepNames: true,
    minify: props.minify === true,
    sourcemap: "linked",
    metafile: true,
    logLevel: "silent",
    banner: { js: cjs ? (props.banner ?? "") : [ESM_BANNER, props.banner ?? ""].join("\n") },
  }).catch((error: { errors?: { text: string }[] }) => ({ errors: error.errors ?? [{ text: String(error) }], metafile: undefined }));

  const errors = result.errors.map((e) => e.text);
  if (errors.length > 0 || !result.metafile) {
    return { response: { handler: "", out, errors: errors.length ? errors : ["esbuild produced no metafile"], sourcemaps: [] } };
  }
  const metafile: Metafile = result.metafile;
  const externalImports = [
    ...new Set(
      Object.values(metafile.inputs).flatMap((i) => i.imports.filter((imp) => imp.external).map((imp) => imp.path)),
    ),
  ]
    .filter((path) => path !== "<runtime>")
    .sort();
  const output = Object.entries(metafile.outputs).find(([file]) => file.endsWith(cjs ? ".cjs" : ".mjs"));
  const record: BuildRecord = {
    functionID: input.functionID,
    handler: input.handler,
    runtime: input.runtime,
    links: input.links ?? {},
    properties: props,
    entry,
    outFile,
    bytes: output?.[1].bytes ?? 0,
    externalImports,
  };
  const sourcemaps = Object.keys(metafile.outputs)
    .filter((f) => f.endsWith(".map"))
    .map((f) => join(options.root, f));
  return { response: { handler: `bundle${ext}`, out, errors: [], sourcemaps }, record };
}
