import { FreshetError } from "@freshet/core";
import { describeErrorHierarchy, errorClassesOf } from "../../core/tests/support/error-hierarchy.ts";
import * as errors from "../src/errors.ts";
import { WorkflowDescriptionError, WorkflowNameError } from "../src/errors.ts";

describeErrorHierarchy(
  "workflows' errors",
  FreshetError,
  [
    { type: WorkflowNameError, make: (cause) => new WorkflowNameError("Load!", "has characters AWS rejects", { cause }) },
    { type: WorkflowDescriptionError, make: (cause) => new WorkflowDescriptionError("Load", "two schedules named Every5Minutes", { cause }) },
  ],
  errorClassesOf(errors),
);
