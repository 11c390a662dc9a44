import type { EndpointResponse } from "../endpoint/service.ts";

/** An error EventBridge Scheduler answers (REST-JSON: the status, `x-amzn-errortype`, `{"Message": …}`). */
export class SchedulerApiError extends Error {
  override readonly name = "SchedulerApiError";
  readonly type: string;
  readonly status: number;
  constructor(type: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.type = type;
    this.status = status;
  }

  toResponse(requestId: string): EndpointResponse {
    return {
      status: this.status,
      headers: { "content-type": "application/json", "x-amzn-errortype": this.type, "x-amzn-requestid": requestId },
      body: JSON.stringify({ Message: this.message }),
    };
  }
}

export const validation = (message: string) => new SchedulerApiError("ValidationException", 400, message);
export const notFound = (message: string) => new SchedulerApiError("ResourceNotFoundException", 404, message);
export const conflict = (message: string) => new SchedulerApiError("ConflictException", 409, message);
