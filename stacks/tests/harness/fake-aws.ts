/**
 * What AWS would answer: identifiers and attributes (ARNs, URLs, physical names) for mocked
 * resources, derived from their inputs so every run of the synth is deterministic.
 */

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

type State = Record<string, unknown>;

/** Physical names: the given one, or Pulumi-style auto-naming with a fixed suffix. */
function physical(logical: string, inputs: State, key = "name"): string {
  const given = inputs[key];
  return typeof given === "string" && given.length > 0 ? given : `${logical.toLowerCase()}-0000000`;
}

/** Computed outputs of a custom resource, merged over its inputs as the mocked state. */
export function fakeState(type: string, logical: string, inputs: State): State {
  const arn = (service: string, resource: string, region = REGION, account = ACCOUNT) =>
    `arn:aws:${service}:${region}:${account}:${resource}`;
  switch (type) {
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2": {
      const bucket = physical(logical, inputs, "bucket");
      return {
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${bucket}.s3.${REGION}.amazonaws.com`,
        region: REGION,
      };
    }
    case "aws:kinesis/stream:Stream": {
      const name = physical(logical, inputs);
      return { name, arn: arn("kinesis", `stream/${name}`) };
    }
    case "aws:sqs/queue:Queue": {
      const name = physical(logical, inputs);
      return { name, arn: arn("sqs", name), url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}` };
    }
    case "aws:sns/topic:Topic": {
      const name = physical(logical, inputs);
      return { name, arn: arn("sns", name) };
    }
    case "aws:cloudwatch/eventBus:EventBus": {
      const name = physical(logical, inputs);
      return { name, arn: arn("events", `event-bus/${name}`) };
    }
    case "aws:lambda/function:Function": {
      const name = physical(logical, inputs);
      const fnArn = arn("lambda", `function:${name}`);
      return {
        name,
        arn: fnArn,
        qualifiedArn: `${fnArn}:$LATEST`,
        version: "$LATEST",
        invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fnArn}/invocations`,
      };
    }
    case "aws:iam/role:Role": {
      const name = physical(logical, inputs);
      return { name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, uniqueId: `AROA${logical.toUpperCase()}` };
    }
    case "aws:iam/policy:Policy": {
      const name = physical(logical, inputs);
      return { name, arn: `arn:aws:iam::${ACCOUNT}:policy/${name}` };
    }
    case "aws:apigatewayv2/api:Api": {
      const id = `api${logical.toLowerCase()}`.slice(0, 10);
      return {
        apiEndpoint: `https://${id}.execute-api.${REGION}.amazonaws.com`,
        executionArn: arn("execute-api", id),
        arn: `arn:aws:apigateway:${REGION}::/apis/${id}`,
      };
    }
    case "aws:apigatewayv2/stage:Stage":
      return { invokeUrl: `https://mock.execute-api.${REGION}.amazonaws.com/`, arn: arn("apigateway", logical) };
    case "aws:cloudwatch/logGroup:LogGroup": {
      const name = physical(logical, inputs);
      return { name, arn: arn("logs", `log-group:${name}`) };
    }
    case "aws:sfn/stateMachine:StateMachine": {
      const name = physical(logical, inputs);
      return { name, arn: arn("states", `stateMachine:${name}`) };
    }
    case "aws:scheduler/schedule:Schedule": {
      const name = physical(logical, inputs);
      return { name, arn: arn("scheduler", `schedule/${String(inputs.groupName ?? "default")}/${name}`) };
    }
    case "aws:cloudwatch/eventRule:EventRule": {
      const name = physical(logical, inputs);
      const bus = String(inputs.eventBusName ?? "default");
      return { name, arn: arn("events", bus === "default" ? `rule/${name}` : `rule/${bus}/${name}`) };
    }
    case "aws:redshiftserverless/namespace:Namespace":
      // A managed admin password lives in a Secrets Manager secret Redshift creates and names.
      return {
        arn: arn("redshiftserverless", logical.toLowerCase()),
        ...(inputs.manageAdminPassword === true ? { adminPasswordSecretArn: arn("secretsmanager", `secret:redshift!${String(inputs.namespaceName)}-admin-AbCdEf`) } : {}),
      };
    case "aws:sagemaker/model:Model":
    case "aws:sagemaker/endpointConfiguration:EndpointConfiguration":
    case "aws:sagemaker/endpoint:Endpoint": {
      // SageMaker lower-cases names in ARNs.
      const name = physical(logical, inputs);
      const kind = type === "aws:sagemaker/model:Model" ? "model" : type.endsWith(":Endpoint") ? "endpoint" : "endpoint-config";
      return { name, arn: arn("sagemaker", `${kind}/${name.toLowerCase()}`) };
    }
    case "random:index/randomBytes:RandomBytes": {
      const length = typeof inputs.length === "number" ? inputs.length : 32;
      const bytes = Buffer.alloc(length, 7); // fixed bytes: deterministic, never used as a key
      return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
    }
    default: {
      if (!type.startsWith("aws:")) return {};
      const service = type.slice(4, type.indexOf("/"));
      return { arn: arn(service, `${logical.toLowerCase()}`) };
    }
  }
}

export function fakeId(type: string, logical: string, state: State): string {
  if (type === "aws:lambda/function:Function" || type === "aws:kinesis/stream:Stream") return String(state.arn);
  if (type === "aws:sqs/queue:Queue") return String(state.url);
  if (type === "aws:s3/bucket:Bucket" || type === "aws:s3/bucketV2:BucketV2") return String(state.bucket);
  if (type === "aws:sns/topic:Topic") return String(state.arn);
  if (typeof state.name === "string") return state.name;
  return `${logical}-id`;
}

type PolicyInputStatement = {
  sid?: string;
  effect?: string;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  conditions?: { test: string; variable: string; values: string[] }[];
};

/** `aws.iam.getPolicyDocument` as the provider renders it (JSON of the statements given). */
export function renderPolicyDocument(inputs: { statements?: PolicyInputStatement[] }): { json: string; minifiedJson: string } {
  const principal = (list: PolicyInputStatement["principals"]) => {
    if (!list || list.length === 0) return undefined;
    if (list.length === 1 && list[0]!.type === "*") return "*";
    const out: Record<string, string[]> = {};
    for (const { type, identifiers } of list) out[type] = [...(out[type] ?? []), ...identifiers];
    return out;
  };
  const condition = (list: PolicyInputStatement["conditions"]) => {
    if (!list || list.length === 0) return undefined;
    const out: Record<string, Record<string, string[]>> = {};
    for (const { test, variable, values } of list) out[test] = { ...out[test], [variable]: values };
    return out;
  };
  const doc = {
    Version: "2012-10-17",
    Statement: (inputs.statements ?? []).map((s) =>
      Object.fromEntries(
        Object.entries({
          Sid: s.sid,
          Effect: s.effect ?? "Allow",
          Action: s.actions,
          NotAction: s.notActions,
          Resource: s.resources,
          NotResource: s.notResources,
          Principal: principal(s.principals),
          Condition: condition(s.conditions),
        }).filter(([, v]) => v !== undefined),
      ),
    ),
  };
  return { json: JSON.stringify(doc, null, 2), minifiedJson: JSON.stringify(doc) };
}
