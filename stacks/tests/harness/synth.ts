/**
 * Mock synthesis of sst.config.ts: runs its `run()` as `sst deploy` would — same platform code
 * from .sst/platform, same globals, same CLI RPCs — but under Pulumi mocks, so every resource's
 * type, name, inputs and options are recorded instead of created. No AWS account needed.
 *
 * One synth per process: Pulumi's runtime and SST's component registry are process-global, so
 * each test file (vitest's `forks` pool gives each its own process) calls `synth()` once.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startCliServer, type BuildRecord, type RpcCall } from "./cli-server.ts";
import { SynthError } from "./errors.ts";
import { ACCOUNT, REGION, fakeId, fakeState, renderPolicyDocument } from "./fake-aws.ts";
import { Resources, type RecordedResource } from "./resources.ts";

export const ROOT = resolve(import.meta.dirname, "../../..");
export const PLATFORM = join(ROOT, ".sst", "platform");

export interface SynthOptions {
  /** `$app.stage`; decides removal/protect and per-stage settings. */
  readonly stage?: string;
  /** Environment variables for `app()` and `run()` (as SST loads them from `.env`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Values for `sst.Secret`s (the CLI passes them as SST_SECRET_<Name>). */
  readonly secrets?: Readonly<Record<string, string>>;
}

export interface RecordedCall {
  readonly token: string;
  readonly inputs: Record<string, any>;
}

export interface SynthResult {
  readonly stage: string;
  /** What `app()` returned, as the CLI turns it into `$app`. */
  readonly app: { name: string; stage: string; removal: string; protect: boolean; home: string };
  readonly resources: Resources;
  /** Provider function calls (`aws:iam/getPolicyDocument:getPolicyDocument`, …). */
  readonly calls: readonly RecordedCall[];
  /** Handler bundles the CLI stand-in built. */
  readonly builds: readonly BuildRecord[];
  readonly rpc: readonly RpcCall[];
  /** `run()`'s return value, resolved (plus SST's `_protect`). */
  readonly outputs: Record<string, unknown>;
}

type Pulumi = typeof $util;
type SstConfig = {
  app(input: { stage: string }): { name: string; home: string; removal?: string; protect?: boolean; providers?: unknown };
  run(): Promise<Record<string, unknown> | void>;
};

export async function synth(options: SynthOptions = {}): Promise<SynthResult> {
  const stage = options.stage ?? "ci";
  if (!existsSync(join(PLATFORM, "config.d.ts")) || !existsSync(join(PLATFORM, "node_modules", "@pulumi", "pulumi"))) {
    throw new SynthError(`SST platform missing in ${PLATFORM}: run \`node scripts/sst-install.ts\` first`);
  }
  const workDir = mkdtempSync(join(tmpdir(), "freshet-synth-"));
  const server = await startCliServer({ root: ROOT, workDir });
  const restoreEnv = setEnv({
    SST_SERVER: server.url,
    // Pulumi's AWS pieces look for credentials even under mocks; nothing ever reaches AWS.
    AWS_ACCESS_KEY_ID: "mock",
    AWS_SECRET_ACCESS_KEY: "mock",
    AWS_REGION: REGION,
    SST_AWS_REGION: REGION,
    ...options.env,
    ...Object.fromEntries(Object.entries(options.secrets ?? {}).map(([k, v]) => [`SST_SECRET_${k}`, v])),
  });
  const cwd = process.cwd();

  // An error inside an `apply` (a missing secret, a failed build) never resolves the outputs
  // waiting on it, so the synth would hang: the first unhandled rejection ends it instead.
  let abort: (error: unknown) => void = () => {};
  const aborted = new Promise<never>((_, reject) => (abort = reject));
  aborted.catch(() => {}); // observed through Promise.race below
  const onRejection = (reason: unknown) =>
    abort(new SynthError(`sst.config.ts failed under the mock synthesis: ${describe(reason)}`, { cause: reason }));
  process.on("unhandledRejection", onRejection);

  try {
    return await Promise.race([runSynth(stage, workDir, server), aborted]);
  } finally {
    process.off("unhandledRejection", onRejection);
    process.chdir(cwd);
    restoreEnv();
    await server.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function runSynth(
  stage: string,
  workDir: string,
  server: { builds: BuildRecord[]; calls: RpcCall[] },
): Promise<SynthResult> {
  // The platform's own copy of Pulumi: SST's components must register with the same runtime.
  const pulumi = createRequire(join(PLATFORM, "package.json"))("@pulumi/pulumi") as Pulumi;
  const recorded: RecordedResource[] = [];
  const calls: RecordedCall[] = [];
  const resourceOptions = new Map<string, RecordedResource["options"]>();

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state = args.custom === false ? {} : fakeState(args.type, args.name, args.inputs);
        const merged = { ...args.inputs, ...state };
        const id = args.custom === false ? undefined : fakeId(args.type, args.name, merged);
        recorded.push({
          type: args.type,
          name: args.name,
          inputs: revealSecrets(args.inputs) as Record<string, any>,
          outputs: revealSecrets(merged) as Record<string, any>,
          custom: args.custom !== false,
          options: {},
        });
        return { id, state: merged };
      },
      call(args) {
        calls.push({ token: args.token, inputs: args.inputs });
        switch (args.token) {
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/mock`, userId: "AIDAMOCK", id: ACCOUNT };
          case "aws:index/getRegion:getRegion":
            return { name: REGION, region: REGION, id: REGION, description: "US East (N. Virginia)" };
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
          case "aws:iam/getPolicyDocument:getPolicyDocument":
            // The data source echoes its inputs (SST checks `statements`) and adds the JSON.
            return { ...args.inputs, id: "policy", ...renderPolicyDocument(args.inputs) };
          default:
            return args.inputs;
        }
      },
    },
    "freshet",
    stage,
    false,
  );
  rootChildUrnsAsEngine(pulumi);

  // sst.config.ts calls the global `$config` as it loads; the platform's modules read `$app`
  // when they load, so the app's globals go first and the component library after.
  (globalThis as Record<string, unknown>).$config = (input: unknown) => input;
  const sstConfig = (await import(join(ROOT, "sst.config.ts"))).default as SstConfig;
  const app = installAppGlobals(pulumi, sstConfig, stage, workDir);
  installPlatformGlobals(await loadPlatformModules());
  const { run } = (await import(join(PLATFORM, "src", "auto", "run.ts"))) as {
    run(program: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>>;
  };

  const stackOutputs = await pulumi.runtime.runInPulumiStack(() =>
    run(async () => {
      // Registered after run()'s own transformations, so it sees the options they set.
      pulumi.runtime.registerStackTransformation((args) => {
        resourceOptions.set(`${args.type}::${args.name}`, {
          retainOnDelete: args.opts.retainOnDelete,
          protect: args.opts.protect,
          dependsOn: dependencyNames(args.opts.dependsOn),
        });
        return undefined;
      });
      return (await sstConfig.run()) ?? {};
    }),
  );
  // Resources created inside `apply` callbacks register after run() returns.
  const { waitForRPCs } = pulumi.runtime as unknown as { waitForRPCs(): Promise<void> };
  await waitForRPCs();
  const outputs = await resolveAll(pulumi, stackOutputs ?? {});
  await waitForRPCs();

  for (const r of recorded) Object.assign(r.options, resourceOptions.get(`${r.type}::${r.name}`) ?? {});
  return {
    stage,
    app,
    resources: new Resources(recorded),
    calls,
    builds: [...server.builds],
    rpc: [...server.calls],
    outputs,
  };
}

/** `dependsOn` as the logical names of the resources given (Freshet passes resources, not outputs). */
function dependencyNames(dependsOn: unknown): string[] {
  const list = dependsOn === undefined ? [] : Array.isArray(dependsOn) ? dependsOn : [dependsOn];
  return list.map((r) => {
    const name = (r as { __name?: unknown }).__name;
    if (typeof name !== "string") throw new SynthError(`dependsOn holds something that is not a resource: ${String(r)}`);
    return name;
  });
}

/**
 * The Pulumi engine leaves the root stack out of the URNs of its direct children
 * (`…::sst:aws:Bucket::Lake`); Pulumi's MockMonitor does not (`…::pulumi:pulumi:Stack$sst:aws:…`).
 * SST reads a link's type from the URN (`Resource.Lake.type`), so the mock must match the engine.
 */
function rootChildUrnsAsEngine(pulumi: Pulumi): void {
  const monitor = (pulumi.runtime as unknown as { getMonitor(): unknown }).getMonitor() as {
    newUrn(parent: string | undefined, type: string, name: string): string;
  };
  const newUrn = monitor.newUrn.bind(monitor);
  monitor.newUrn = (parent, type, name) =>
    newUrn(parent && parent.split("::")[2] === "pulumi:pulumi:Stack" ? undefined : parent, type, name);
}

async function loadPlatformModules() {
  const sst = await import(join(PLATFORM, "src", "components", "index.ts"));
  const component = await import(join(PLATFORM, "src", "components", "component.ts"));
  const link = await import(join(PLATFORM, "src", "components", "link.ts"));
  const aws = createRequire(join(PLATFORM, "package.json"))("@pulumi/aws");
  return { sst, aws, $transform: component.$transform, $asset: component.$asset, $linkable: link.Link.linkable };
}

/** The globals the SST CLI defines before it evaluates sst.config.ts (see platform/src/shim/run.js). */
function installAppGlobals(pulumi: Pulumi, config: SstConfig, stage: string, workDir: string): SynthResult["app"] {
  const declared = config.app({ stage });
  const app = {
    name: declared.name,
    stage,
    removal: declared.removal ?? "retain",
    protect: declared.protect ?? false,
    home: declared.home,
    providers: declared.providers ?? {},
  };
  Object.assign(globalThis, {
    $app: app,
    $dev: false,
    $cli: {
      command: "deploy",
      rpc: process.env.SST_SERVER,
      paths: { home: join(workDir, "home"), root: ROOT, work: workDir, platform: PLATFORM },
      state: { version: {} },
    },
    $util: pulumi,
    $output: pulumi.output,
    $resolve: pulumi.all,
    $interpolate: pulumi.interpolate,
    $concat: pulumi.concat,
    $jsonParse: pulumi.jsonParse,
    $jsonStringify: pulumi.jsonStringify,
    $secrets: {},
  });
  return { name: app.name, stage, removal: app.removal, protect: app.protect, home: app.home };
}

function installPlatformGlobals(modules: Awaited<ReturnType<typeof loadPlatformModules>>): void {
  Object.assign(globalThis, {
    $asset: modules.$asset,
    $transform: modules.$transform,
    $linkable: modules.$linkable,
    sst: modules.sst,
    aws: modules.aws,
  });
}

function setEnv(values: Record<string, string | undefined>): () => void {
  const previous = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(values)) if (v !== undefined) process.env[k] = v;
  return () => {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

function resolveAll(pulumi: Pulumi, value: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolveOutputs) => {
    pulumi.output(value as Record<string, unknown>).apply((v) => {
      resolveOutputs(v as Record<string, unknown>);
      return v;
    });
  });
}

/** Pulumi's wire form of a secret value: `{ <sig>: <secret sig>, value }`. */
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Inputs derived from a secret (SST's encryption key taints every function ARN) arrive wrapped;
 *  the assertions are about values, so unwrap them. */
function revealSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SIG] === SECRET_SIG) return revealSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, revealSecrets(v)]));
  }
  return value;
}

function describe(reason: unknown): string {
  return reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
}
