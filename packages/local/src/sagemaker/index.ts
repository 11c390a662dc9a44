export { createSageMakerRuntimeService, type SageMakerRuntimeService, type SageMakerRuntimeServiceOptions } from "./service.ts";
export { registerLocalModel, modelPath, ModelRegistry, type ModelFile, type LoadedModel } from "./registry.ts";
export { SageMakerApiError, SageMakerModelError, SageMakerValidationError, PayloadError } from "./errors.ts";
