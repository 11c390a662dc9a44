import * as rcfErrors from "../../../src/anomaly/rcf/errors.ts";
import { InvalidForestOptionsError, InvalidForestStateError, InvalidPointError } from "../../../src/anomaly/rcf/errors.ts";
import { FreshetError } from "../../../src/errors.ts";
import { describeErrorHierarchy, errorClassesOf } from "../../support/error-hierarchy.ts";

/** The forest's errors root in core's `FreshetError`, as every other hierarchy does. */
describeErrorHierarchy(
  "Random Cut Forest's errors",
  FreshetError,
  [
    { type: InvalidForestOptionsError, make: (cause) => new InvalidForestOptionsError("sampleSize must be a positive integer", { cause }) },
    { type: InvalidPointError, make: (cause) => new InvalidPointError("a point has 4 dimension(s), not 3", { cause }) },
    { type: InvalidForestStateError, make: (cause) => new InvalidForestStateError("forest state version 2 is not 1", { cause }) },
  ],
  errorClassesOf(rcfErrors),
);
