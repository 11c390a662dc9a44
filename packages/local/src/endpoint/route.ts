import { jsonErrorResponse, type EndpointRequest, type EndpointResponse, type EndpointService } from "./service.ts";

/**
 * Hands the request to the first service that claims it. A service bug must never take the
 * endpoint down, so a throw becomes the 500 `InternalFailure` AWS answers on internal errors.
 */
export async function routeRequest(
  services: readonly EndpointService[],
  req: EndpointRequest,
): Promise<EndpointResponse> {
  try {
    const service = services.find((s) => s.matches(req));
    if (!service) return jsonErrorResponse(400, "UnknownOperationException", "No embedded service serves this request");
    return await service.handle(req);
  } catch (error) {
    return jsonErrorResponse(500, "InternalFailure", error instanceof Error ? error.message : String(error));
  }
}
