/** The metrics API's routes, as `stacks/metrics-api.ts` and the local platform both declare them. */
export const METRICS_API_ROUTES = ["GET /v1/metrics/{view}", "GET /v1/freshness", "GET /v1/anomalies"] as const;

/** Its Lambda sizing: the function only waits on the Data API; 29 s is API Gateway's integration timeout. */
export const METRICS_API_FUNCTION = {
  memoryMb: 256,
  timeoutSeconds: 29,
} as const;
