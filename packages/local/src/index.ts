export { startEndpoint, type RunningEndpoint, type EndpointOptions } from "./endpoint/server.ts";
export type { EndpointService, EndpointRequest, EndpointResponse } from "./endpoint/service.ts";
export { startPlatform, type Platform, type PlatformOptions } from "./platform/start-platform.ts";
export { readRuntimeFile, type RuntimeInfo } from "./platform/runtime-file.ts";
export { LOCAL_RESOURCES } from "./platform/links.ts";
export { startHttpApi } from "./api/http-api.ts";
export { lambdaContext } from "./lambda/context.ts";
export { generateEvents, DEFAULT_MIX, type GeneratedEvent, type Expectation } from "./traffic/events.ts";
export { sendEvents } from "./traffic/send.ts";
