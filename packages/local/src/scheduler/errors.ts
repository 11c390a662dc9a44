import { AwsApiError } from "../endpoint/aws-api-error.ts";
import type { EndpointResponse } from "../endpoint/service.ts";

/** An error EventBridge Scheduler answers (REST-JSON: the status, `x-amzn-errortype`, `{"Message": …}`). */
export class SchedulerApiError extends AwsApiError {
  override readonly name = "SchedulerApiError";

  toResponse(requestId: string): EndpointResponse {
    return {
      status: this.status,
      headers: { "content-type": "application/json", "x-amzn-errortype": this.code, "x-amzn-requestid": requestId },
      body: JSON.stringify({ Message: this.message }),
    };
  }
}

export const validation = (message: string) => new SchedulerApiError("ValidationException", 400, message);
export const notFound = (message: string) => new SchedulerApiError("ResourceNotFoundException", 404, message);
export const conflict = (message: string) => new SchedulerApiError("ConflictException", 409, message);
