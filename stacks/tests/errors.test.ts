import { FreshetError } from "@freshet/core";
import { describeErrorHierarchy, errorClassesOf } from "../../packages/core/tests/support/error-hierarchy.ts";
import * as errors from "../errors.ts";
import { StageConfigError, WorkflowPermissionError } from "../errors.ts";
import * as harnessErrors from "./harness/errors.ts";
import { ResourceLookupError, SynthError } from "./harness/errors.ts";

describeErrorHierarchy(
  "stacks' errors",
  FreshetError,
  [
    { type: StageConfigError, make: (cause) => new StageConfigError("production", "raw/ expires before Deep Archive", { cause }) },
    { type: WorkflowPermissionError, make: (cause) => new WorkflowPermissionError("Load reads its statements without database roles", { cause }) },
    { type: SynthError, make: (cause) => new SynthError("sst.config.ts failed under the mocks", { cause }) },
    { type: ResourceLookupError, make: (cause) => new ResourceLookupError("no aws:sfn/stateMachine named Load", { cause }) },
  ],
  errorClassesOf(errors, harnessErrors),
);
