/**
 * Every Freshet Lambda is created through `createFunction`, so the settings below cannot be
 * forgotten: Node.js 24 on arm64 (cheaper per GB-second), a minified bundle without `@aws-sdk/*`
 * (the runtime ships SDK v3: smaller zip, faster cold start), and a role only Lambda can assume.
 */
export function createFunction(name: string, args: sst.aws.FunctionArgs): sst.aws.Function {
  const roleTransform = args.transform?.role;
  return new sst.aws.Function(name, {
    runtime: "nodejs24.x",
    architecture: "arm64",
    nodejs: { minify: true, esbuild: { external: ["@aws-sdk/*"] } },
    ...args,
    transform: {
      ...args.transform,
      role: (roleArgs, opts, roleName) => {
        // SST 4.17.1 lets the account root assume every function role (it tests the Output `dev`
        // for truthiness, which always holds). Outside `sst dev`, which runs functions locally
        // under their roles, only Lambda may assume them.
        if (!$dev) {
          roleArgs.assumeRolePolicy = aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" });
        }
        if (typeof roleTransform === "function") roleTransform(roleArgs, opts, roleName);
        else if (roleTransform) Object.assign(roleArgs, roleTransform);
        return undefined;
      },
    },
  });
}

/** Powertools reads these; the namespace groups every Freshet metric in CloudWatch. */
export function powertoolsEnvironment(service: string): Record<string, string> {
  return { POWERTOOLS_SERVICE_NAME: service, POWERTOOLS_METRICS_NAMESPACE: "Freshet" };
}
