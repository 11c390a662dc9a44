import { GetObjectCommand, NoSuchKey, S3ServiceException } from "@aws-sdk/client-s3";
import { DescribeExecutionCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { PublishCommand } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { ArgumentShapeError } from "../../../src/sfn/service/errors.ts";
import { awsSdkFailure, optimizedFailure } from "../../../src/sfn/service/integrations/failures.ts";
import { fromSdkOutput, operationSchemas, toSdkInput } from "../../../src/sfn/service/integrations/sdk-shapes.ts";

describe("Step Functions' view of SDK operations", () => {
  it("maps PascalCase arguments onto the API's members, JSON values onto string members", () => {
    const { input } = operationSchemas(new StartExecutionCommand({ stateMachineArn: "" }));
    expect(toSdkInput({ StateMachineArn: "arn:x", Input: { order: 1 }, Name: "n" }, input)).toEqual({
      stateMachineArn: "arn:x",
      input: JSON.stringify({ order: 1 }),
      name: "n",
    });
    expect(() => toSdkInput({ StateMachine: "arn:x" }, input)).toThrow(ArgumentShapeError);
  });

  it("leaves map keys alone (they are data)", () => {
    const { input } = operationSchemas(new PublishCommand({ Message: "" }));
    const converted = toSdkInput(
      { TopicArn: "t", Message: "m", MessageAttributes: { "load-id": { DataType: "String", StringValue: "l-1" } } },
      input,
    );
    expect(converted).toEqual({ TopicArn: "t", Message: "m", MessageAttributes: { "load-id": { DataType: "String", StringValue: "l-1" } } });
  });

  it("answers PascalCase, with timestamps as ISO text and map keys untouched", async () => {
    const describeSchemas = operationSchemas(new DescribeExecutionCommand({ executionArn: "" }));
    const output = await fromSdkOutput(
      {
        $metadata: { httpStatusCode: 200 },
        executionArn: "arn:e",
        startDate: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
        inputDetails: { included: true },
      },
      describeSchemas.output,
    );
    expect(output).toEqual({ ExecutionArn: "arn:e", StartDate: "2026-01-02T03:04:05.000Z", InputDetails: { Included: true } });

    const getSchemas = operationSchemas(new GetObjectCommand({ Bucket: "", Key: "" }));
    const object = await fromSdkOutput(
      { Body: { transformToString: async () => "hello" }, Metadata: { "load-id": "l-1" }, ContentLength: 5 },
      getSchemas.output,
    );
    expect(object).toEqual({ Body: "hello", Metadata: { "load-id": "l-1" }, ContentLength: 5 });
  });

  it("names errors as AWS does: modeled ones by their name, others after the service", () => {
    const metadata = { httpStatusCode: 404, requestId: "req-1", extendedRequestId: "ext-1" };
    const noSuchKey = new NoSuchKey({ message: "The specified key does not exist.", $metadata: metadata });
    const modeled = awsSdkFailure("S3", "S3ServiceException", noSuchKey);
    expect(modeled.error).toBe("S3.NoSuchKeyException");
    expect(modeled.causeText).toBe(
      "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: req-1, Extended Request ID: ext-1)",
    );
    const denied = new S3ServiceException({ name: "AccessDenied", $fault: "client", message: "Access Denied", $metadata: metadata });
    expect(awsSdkFailure("S3", "S3ServiceException", denied).error).toBe("S3.S3Exception");
    expect(awsSdkFailure("S3", "S3ServiceException", new Error("socket hang up")).error).toBe("S3.SdkClientException");

    const optimized = optimizedFailure("SNS", "AmazonSNS", new S3ServiceException({ name: "NotFound", $fault: "client", message: "Topic does not exist", $metadata: metadata }));
    expect(optimized.error).toBe("SNS.NotFoundException");
    expect(optimized.causeText).toBe(
      "Topic does not exist (Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: req-1; Proxy: null)",
    );
  });
});
