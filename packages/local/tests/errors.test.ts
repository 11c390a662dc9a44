import { FreshetError } from "@freshet/core";
import { describe, expect, it } from "vitest";
import { describeErrorHierarchy, errorClassesOf, type ErrorClass } from "../../core/tests/support/error-hierarchy.ts";
import * as cliErrors from "../src/cli/errors.ts";
import { AuditQueryError, CommandError, explainFailure, ReplayError, UsageError } from "../src/cli/errors.ts";
import * as consoleErrors from "../src/console/errors.ts";
import { ConsoleRouteNotFoundError } from "../src/console/errors.ts";
import * as deployErrors from "../src/deploy/errors.ts";
import { WorkflowDeployError } from "../src/deploy/errors.ts";
import * as apiErrors from "../src/endpoint/aws-api-error.ts";
import { AwsApiError } from "../src/endpoint/aws-api-error.ts";
import * as jsonProtocol from "../src/endpoint/json-protocol.ts";
import { JsonApiError } from "../src/endpoint/json-protocol.ts";
import * as esmErrors from "../src/esm/errors.ts";
import {
  CheckpointFileError,
  EventSourceMappingError,
  ExpiredIteratorError,
  FunctionTimeoutError,
  InvalidPositionError,
  MappingConfigError,
  MappingNotIdleError,
} from "../src/esm/errors.ts";
import * as eventBridgeErrors from "../src/eventbridge/errors.ts";
import { DeliveryError, EventBridgeApiError, EventBridgeStorageError } from "../src/eventbridge/errors.ts";
import * as kinesisErrors from "../src/kinesis/errors.ts";
import { KinesisApiError, KinesisStorageError } from "../src/kinesis/errors.ts";
import * as lambdaErrors from "../src/lambda/errors.ts";
import { LambdaWorkerError } from "../src/lambda/errors.ts";
import * as redshiftErrors from "../src/redshift/errors.ts";
import { CopyError, RedshiftDataApiError, RedshiftStorageError, SqlTranslationError, StatementCancelledError, TableMaintenanceError } from "../src/redshift/errors.ts";
import * as s3Errors from "../src/s3/errors.ts";
import { S3Error, S3StorageError } from "../src/s3/errors.ts";
import * as schedulerErrors from "../src/scheduler/errors.ts";
import { SchedulerApiError } from "../src/scheduler/errors.ts";
import * as contract from "../src/sfn/interpreter/contract.ts";
import { TaskFailure } from "../src/sfn/interpreter/contract.ts";
import * as interpreterErrors from "../src/sfn/interpreter/errors.ts";
import { InterpreterError, InvalidDefinitionError, StateAborted, StatesFailure } from "../src/sfn/interpreter/errors.ts";
import * as template from "../src/sfn/interpreter/expressions/template.ts";
import { TemplateEvaluationError } from "../src/sfn/interpreter/expressions/template.ts";
import * as sfnErrors from "../src/sfn/service/errors.ts";
import { ArgumentShapeError, SdkPackageMissingError, SfnApiError, SfnStorageError, UnsupportedResourceError } from "../src/sfn/service/errors.ts";
import * as runner from "../src/sfn/service/runner.ts";
import { ExecutionStopped, ServiceShutdown } from "../src/sfn/service/runner.ts";
import * as snsErrors from "../src/sns/errors.ts";
import { AlertQueryError, SnsApiError, SnsStorageError } from "../src/sns/errors.ts";
import * as sageMakerErrors from "../src/sagemaker/errors.ts";
import { PayloadError, SageMakerApiError, SageMakerModelError, SageMakerValidationError } from "../src/sagemaker/errors.ts";
import * as anomalyErrors from "../src/anomaly/errors.ts";
import { SeriesCsvError, TrainingJobError } from "../src/anomaly/errors.ts";
import * as faultErrors from "../src/faults/errors.ts";
import { AnswerLostError, InjectedFaultError, InvocationDiedError } from "../src/faults/errors.ts";
import * as trafficErrors from "../src/traffic/errors.ts";
import { IncidentPlanError } from "../src/traffic/errors.ts";
import { StubApiError } from "./deploy/stubs/recorder.ts";

/**
 * The emulator's two hierarchies: what the services answer over the wire as AWS would extends
 * `AwsApiError`; everything else extends core's `FreshetError` (as `AwsApiError` itself does).
 */
const exported = errorClassesOf(
  jsonProtocol,
  apiErrors,
  kinesisErrors,
  eventBridgeErrors,
  redshiftErrors,
  s3Errors,
  schedulerErrors,
  snsErrors,
  sfnErrors,
  cliErrors,
  consoleErrors,
  anomalyErrors,
  deployErrors,
  esmErrors,
  lambdaErrors,
  contract,
  interpreterErrors,
  template,
  runner,
  sageMakerErrors,
  trafficErrors,
  faultErrors,
);
const answersOverTheWire = (type: ErrorClass) => type === AwsApiError || type.prototype instanceof AwsApiError;

describeErrorHierarchy(
  "errors answered over the wire",
  AwsApiError,
  [
    { type: AwsApiError, make: (cause) => new AwsApiError("ThrottlingException", 400, "Rate exceeded", { cause }) },
    { type: JsonApiError, make: (cause) => new JsonApiError("ValidationException", "bad", { cause }) },
    { type: KinesisApiError, make: (cause) => new KinesisApiError("ResourceNotFoundException", "no stream", { cause }) },
    { type: EventBridgeApiError, make: (cause) => new EventBridgeApiError("ValidationException", "bad pattern", { cause }) },
    { type: RedshiftDataApiError, make: (cause) => new RedshiftDataApiError("ValidationException", "bad sql", { cause }) },
    { type: SfnApiError, make: (cause) => new SfnApiError("InvalidArn", "Invalid Arn", { cause }) },
    { type: S3Error, make: (cause) => new S3Error("NoSuchKey", { cause }) },
    { type: SnsApiError, make: (cause) => new SnsApiError("NotFound", "Topic does not exist", { cause }) },
    { type: SchedulerApiError, make: (cause) => new SchedulerApiError("ConflictException", 409, "exists", { cause }) },
    { type: SageMakerApiError, make: (cause) => new SageMakerApiError("UnknownOperationException", 404, "no operation", { cause }) },
    { type: SageMakerValidationError, make: (cause) => new SageMakerValidationError("Endpoint x of account 000000000000 not found.", { cause }) },
    { type: SageMakerModelError, make: (cause) => new SageMakerModelError(400, "Unable to evaluate payload provided", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/Endpoints/x", { cause }) },
    { type: StubApiError, make: () => new StubApiError("ResourceNotFoundException", "stubbed", 404), expectedCause: undefined },
  ],
  exported.filter(answersOverTheWire),
);

describeErrorHierarchy(
  "the emulator's other errors",
  FreshetError,
  [
    { type: AwsApiError, make: (cause) => new AwsApiError("InternalFailure", 500, "boom", { cause }) },
    { type: KinesisStorageError, make: (cause) => new KinesisStorageError("cannot read shard file", { cause }) },
    { type: DeliveryError, make: (cause) => new DeliveryError("target unreachable", { retryable: true, cause }) },
    { type: EventBridgeStorageError, make: (cause) => new EventBridgeStorageError("cannot write rules", { cause }) },
    { type: SqlTranslationError, make: (cause) => new SqlTranslationError("no DuckDB form", { cause }) },
    { type: CopyError, make: (cause) => new CopyError("Load into table failed", { cause }) },
    { type: StatementCancelledError, make: (cause) => new StatementCancelledError(undefined, { cause }) },
    { type: TableMaintenanceError, make: (cause) => new TableMaintenanceError("VACUUM cannot run inside a transaction block", { cause }) },
    { type: RedshiftStorageError, make: (cause) => new RedshiftStorageError("cannot write statement", { cause }) },
    { type: S3StorageError, make: (cause) => new S3StorageError("truncated", "/data/s3/x", { cause }) },
    { type: SnsStorageError, make: (cause) => new SnsStorageError("unreadable", "/data/sns/topics.json", { cause }) },
    { type: AlertQueryError, make: (cause) => new AlertQueryError("--since takes an ISO time", { cause }) },
    { type: ConsoleRouteNotFoundError, make: (cause) => new ConsoleRouteNotFoundError("no route metrics/x", { cause }) },
    { type: SfnStorageError, make: (cause) => new SfnStorageError("cannot write execution", { cause }) },
    { type: UnsupportedResourceError, make: (cause) => new UnsupportedResourceError("arn:aws:states:::x", "unsupported", { cause }) },
    { type: SdkPackageMissingError, make: (cause) => new SdkPackageMissingError("@aws-sdk/client-x", { cause }) },
    { type: ArgumentShapeError, make: (cause) => new ArgumentShapeError("unknown field", { cause }) },
    { type: InterpreterError, make: (cause) => new InterpreterError("interpreter failed", { cause }) },
    { type: InvalidDefinitionError, make: (cause) => new InvalidDefinitionError([{ message: "no StartAt" }], { cause }) },
    { type: StatesFailure, make: (cause) => new StatesFailure("States.Runtime", "it broke", { cause }) },
    { type: StateAborted, make: (cause) => new StateAborted({ cause }) },
    { type: TaskFailure, make: (cause) => new TaskFailure("Lambda.ServiceException", "it broke", { cause }) },
    { type: TemplateEvaluationError, make: (cause) => new TemplateEvaluationError("threw", "Output", { cause }) },
    // StopExecution's Cause text is the stop's `cause`; a shutdown has none.
    { type: ExecutionStopped, make: () => new ExecutionStopped("Operator.Stop", "maintenance"), expectedCause: "maintenance" },
    { type: ServiceShutdown, make: () => new ServiceShutdown(), expectedCause: undefined },
    { type: EventSourceMappingError, make: (cause) => new EventSourceMappingError("mapping failed", { cause }) },
    { type: MappingConfigError, make: (cause) => new MappingConfigError("batchSize out of range", { cause }) },
    { type: MappingNotIdleError, make: (cause) => new MappingNotIdleError("stopped", { cause }) },
    { type: CheckpointFileError, make: (cause) => new CheckpointFileError("unreadable", { cause }) },
    { type: FunctionTimeoutError, make: (cause) => new FunctionTimeoutError("timed out", { cause }) },
    { type: ExpiredIteratorError, make: (cause) => new ExpiredIteratorError("iterator expired", { cause }) },
    { type: InvalidPositionError, make: (cause) => new InvalidPositionError("not a sequence number of this stream", { cause }) },
    { type: LambdaWorkerError, make: (cause) => new LambdaWorkerError("worker crashed", { cause }) },
    { type: WorkflowDeployError, make: (cause) => new WorkflowDeployError("Load", "CreateStateMachine failed", { cause }) },
    { type: UsageError, make: (cause) => new UsageError("--from must be before --to", { cause }) },
    { type: AuditQueryError, make: (cause) => new AuditQueryError("audit query FAILED", { cause }) },
    { type: CommandError, make: (cause) => new CommandError("input is not JSON", 2, { cause }) },
    { type: ReplayError, make: (cause) => new ReplayError("raw/dt=2026-11-26/hr=05/x.ndjson.gz is not gzip", { cause }) },
    { type: SeriesCsvError, make: (cause) => new SeriesCsvError("value is not a number", 3, { cause }) },
    { type: PayloadError, make: (cause) => new PayloadError("Unable to evaluate payload provided", 400, { cause }) },
    { type: TrainingJobError, make: (cause) => new TrainingJobError("training job x Failed", { cause }) },
    { type: IncidentPlanError, make: (cause) => new IncidentPlanError("FRESHET_INCIDENTS: not a plan", { cause }) },
    { type: InjectedFaultError, make: (cause) => new InjectedFaultError("injected", { cause }) },
    { type: AnswerLostError, make: (cause) => new AnswerLostError("the answer to DescribeStatement was lost", { cause }) },
    { type: InvocationDiedError, make: (cause) => new InvocationDiedError("the worker was killed", { cause }) },
  ],
  // AwsApiError's own case above stands for all of its subclasses.
  exported.filter((type) => type === AwsApiError || !answersOverTheWire(type)),
);

describe("the interpreter's control-flow errors keep AWS's names in their fields", () => {
  it("Retry and Catch see the ASL error and Cause, not the JS name", () => {
    const failure = new StatesFailure("States.Timeout", "took too long");
    expect(failure).toMatchObject({ name: "StatesFailure", error: "States.Timeout", causeText: "took too long" });
    expect(new TaskFailure("Sandbox.Timedout", "{}")).toMatchObject({ name: "TaskFailure", error: "Sandbox.Timedout", causeText: "{}" });
  });

  it("a stop without a Cause has no cause at all, so ExecutionAborted reports none", () => {
    expect(Object.hasOwn(new ExecutionStopped("Operator.Stop"), "cause")).toBe(false);
  });
});

describe("wire errors keep AWS's code and status", () => {
  it("each protocol's error carries the code and status it is answered with", () => {
    expect(new KinesisApiError("ResourceNotFoundException", "m")).toMatchObject({ code: "ResourceNotFoundException", status: 400 });
    expect(new SfnApiError("ServiceUnavailable", "m", { status: 503 })).toMatchObject({ code: "ServiceUnavailable", status: 503 });
    expect(new S3Error("NoSuchKey")).toMatchObject({ code: "NoSuchKey", status: 404, message: "The specified key does not exist." });
    expect(new SnsApiError("NotFound", "m")).toMatchObject({ code: "NotFound", status: 404 });
    expect(new SchedulerApiError("ConflictException", 409, "m")).toMatchObject({ code: "ConflictException", status: 409 });
  });
});

describe("explainFailure: what to do about the failures every CLI command can meet", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:3001"), { code: "ECONNREFUSED" });

  it("points at `npm start` when the local endpoint does not answer", () => {
    expect(explainFailure(refused, { AWS_ENDPOINT_URL: "http://127.0.0.1:3001" })).toMatch(/Nothing answers at http:\/\/127\.0\.0\.1:3001: start Freshet locally with `npm start`/);
  });

  it("names the variables to set when there are no credentials, and the bucket option for a missing lake", () => {
    expect(explainFailure(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }), {})).toMatch(/set AWS_PROFILE and AWS_REGION/);
    expect(explainFailure(Object.assign(new Error("The specified bucket does not exist"), { name: "NoSuchBucket" }), {})).toMatch(/--bucket or set FRESHET_LAKE_BUCKET/);
  });

  it("shows any other error as it is", () => {
    expect(explainFailure(new ReplayError("bad line"), {})).toBe("ReplayError: bad line");
  });
});
