import type { EndpointService } from "../endpoint/service.ts";
import { createEventBridgeService, s3ObjectCreatedEvent, type DeliveryLogEntry, type EventBridgeService } from "../eventbridge/index.ts";
import { createKinesisService, type KinesisService } from "../kinesis/index.ts";
import { withDataApiFaults } from "../faults/data-api.ts";
import { withLakeFaults } from "../faults/lake.ts";
import type { LocalFaults } from "../faults/switch.ts";
import { createRedshiftDataService } from "../redshift/index.ts";
import { createS3Service } from "../s3/index.ts";
import { createSageMakerRuntimeService } from "../sagemaker/index.ts";
import { createSchedulerService } from "../scheduler/index.ts";
import { createStepFunctionsService, realClock, type Clock, type StepFunctionsService } from "../sfn/index.ts";
import { createSnsService, type SnsService } from "../sns/index.ts";
import type { LambdaRegistry } from "../sfn/index.ts";

export const LOCAL_ACCOUNT = { region: "us-east-1", accountId: "000000000000" } as const;

export interface LocalServicesOptions {
  readonly dataDir: string;
  /** The endpoint's URL once it listens: services that call other services go through it. */
  readonly endpointUrl: () => string;
  /** Local Lambda functions, by name, for Step Functions tasks and EventBridge targets. */
  readonly functions: LambdaRegistry;
  /** Every object the lake gets; the platform counts receipts with it. */
  readonly onObjectCreated: (bucket: string, key: string) => void;
  readonly onDelivery?: (entry: DeliveryLogEntry) => void;
  readonly log?: (line: string) => void;
  /** Test-only: faults injected into the services; none by default. */
  readonly faults?: LocalFaults;
  /** Test-only: Step Functions' time (what `$millis()` and the Wait states see); real time by default. */
  readonly clock?: Clock;
}

export type { LocalFaults } from "../faults/switch.ts";

export interface LocalServices {
  /** In routing order: signed-name and target-header services first, S3 (the fallback) last. */
  readonly list: readonly EndpointService[];
  readonly stepFunctions: StepFunctionsService;
  readonly eventBridge: EventBridgeService;
  readonly sns: SnsService;
  /** The stream service, which the platform's event source mapping reads in process. */
  readonly kinesis: KinesisService;
}

/**
 * The AWS services of the embedded endpoint, wired to each other as AWS wires them: the lake
 * bucket's "Object Created" events go to the default EventBridge bus, rules and schedules start
 * state machines, tasks call the other services through the endpoint.
 */
export function createLocalServices(options: LocalServicesOptions): LocalServices {
  const { dataDir, endpointUrl, functions, faults = {} } = options;
  const common = { dataDir, ...LOCAL_ACCOUNT };
  const stepFunctions = createStepFunctionsService({ ...common, clock: options.clock ?? faults.clock ?? realClock, lambdaFunctions: functions, endpointUrl });
  const eventBridge = createEventBridgeService({ ...common, endpointUrl, functions, ...(options.onDelivery ? { log: options.onDelivery } : {}) });
  // The local platform lets workflows run every few seconds (FRESHET_SCHEDULE=rate(5 seconds)).
  const scheduler = createSchedulerService({ ...common, endpointUrl, functions, allowSecondRates: true, ...(options.onDelivery ? { log: options.onDelivery } : {}) });
  const sns = createSnsService({ ...common, ...(options.log ? { log: options.log } : {}) });
  const lake = createS3Service({
    dataDir,
    onObjectCreated: (e) => {
      options.onObjectCreated(e.bucket, e.key);
      eventBridge.putEventInternal(s3ObjectCreatedEvent(e, LOCAL_ACCOUNT.region, LOCAL_ACCOUNT.accountId));
    },
  });
  const s3 = faults.lake ? withLakeFaults(lake, faults.lake) : lake;
  // COPY reads the lake's files where the embedded S3 keeps them (the manifest still through S3).
  const redshift = createRedshiftDataService({
    dataDir,
    s3: { endpointUrl },
    objectFile: (bucket, key) => lake.objectFile(bucket, key),
    ...LOCAL_ACCOUNT,
    ...(faults.redshift ? { faults: faults.redshift } : {}),
  });
  const kinesis = createKinesisService({ dataDir, ...(faults.stream ? { faults: faults.stream } : {}) });
  return {
    list: [
      kinesis,
      stepFunctions,
      eventBridge,
      scheduler,
      sns,
      createSageMakerRuntimeService(common),
      faults.dataApi ? withDataApiFaults(redshift, faults.dataApi) : redshift,
      s3,
    ],
    stepFunctions,
    eventBridge,
    sns,
    kinesis,
  };
}
