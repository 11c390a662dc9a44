import { randomUUID } from "node:crypto";
import type { EndpointRequest, EndpointResponse, EndpointService } from "../endpoint/service.ts";
import { signingService } from "../endpoint/signing.ts";
import { PayloadError, SageMakerApiError, SageMakerModelError, SageMakerValidationError } from "./errors.ts";
import { parseRecords, renderScores, responseType } from "./formats.ts";
import { ModelRegistry, type LoadedModel } from "./registry.ts";

export interface SageMakerRuntimeServiceOptions {
  readonly dataDir: string;
  readonly region: string;
  readonly accountId: string;
}

export interface SageMakerRuntimeService extends EndpointService {
  readonly name: "sagemaker-runtime";
  readonly registry: ModelRegistry;
}

const INVOCATIONS = /^\/endpoints\/([^/]+)\/invocations$/;
// SageMaker names the single variant of a one-variant endpoint configuration so by default.
const VARIANT = "AllTraffic";

/**
 * The embedded SageMaker Runtime (REST-JSON, signing name `sagemaker`): `InvokeEndpoint` on the
 * local endpoints, each answering as SageMaker's built-in Random Cut Forest with the model
 * `registerLocalModel` put on disk. Scoring reads the forest and never changes it.
 */
export function createSageMakerRuntimeService(options: SageMakerRuntimeServiceOptions): SageMakerRuntimeService {
  const registry = new ModelRegistry(options.dataDir, options.region, options.accountId);
  return {
    name: "sagemaker-runtime",
    registry,
    // The control plane (`sagemaker` too, JSON with X-Amz-Target) is not served here.
    matches: (req) => signingService(req) === "sagemaker" && req.headers["x-amz-target"] === undefined,
    async handle(req: EndpointRequest): Promise<EndpointResponse> {
      const requestId = randomUUID();
      try {
        const match = req.method === "POST" ? INVOCATIONS.exec(req.path) : null;
        if (!match) throw new SageMakerApiError("UnknownOperationException", 404, `No SageMaker Runtime operation for ${req.method} ${req.path}`);
        return invokeEndpoint(registry, decodeURIComponent(match[1]!), req, requestId);
      } catch (error) {
        if (error instanceof SageMakerApiError) return error.toResponse(requestId);
        throw error;
      }
    },
  };
}

/** InvokeEndpoint: find the model, read the records, score each, answer in the accepted type. */
function invokeEndpoint(registry: ModelRegistry, endpointName: string, req: EndpointRequest, requestId: string): EndpointResponse {
  const model = registry.model(endpointName);
  if (req.body.length === 0) {
    throw new SageMakerValidationError("1 validation error detected: Value at 'body' failed to satisfy constraint: Member must not be null");
  }
  const scores = score(model, req, (message, status, cause) => new SageMakerModelError(status, message, registry.logStreamArn(endpointName), { cause }));
  return {
    status: 200,
    headers: { "content-type": scores.type, "x-amzn-invoked-production-variant": VARIANT, "x-amzn-requestid": requestId },
    body: renderScores(scores.values, scores.type),
  };
}

type ModelFailure = (message: string, status: number, cause: unknown) => SageMakerModelError;

/** What the container does: reject a payload it cannot read with its 4xx, relayed as ModelError. */
function score(model: LoadedModel, req: EndpointRequest, failure: ModelFailure) {
  try {
    const type = responseType(header(req, "accept"));
    const records = parseRecords(req.body, header(req, "content-type"), model.featureDim);
    return { type, values: records.map((record) => model.forest.score(record)) };
  } catch (error) {
    if (error instanceof PayloadError) throw failure(error.message, error.status, error);
    throw failure("The model failed to score the payload", 500, error);
  }
}

function header(req: EndpointRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}
