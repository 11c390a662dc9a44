import { ResourceLookupError } from "./errors.ts";

export interface RecordedResource {
  /** Pulumi type token, e.g. `aws:lambda/eventSourceMapping:EventSourceMapping` or `sst:aws:Function`. */
  readonly type: string;
  /** Logical name; SST prefixes a child's name with its component's (`IngestRole` under `Ingest`). */
  readonly name: string;
  /** Resolved inputs as the provider would receive them (SST's link data for `sst:sst:LinkRef`). */
  readonly inputs: Record<string, any>;
  /** Inputs plus what the mocked AWS computed (`arn`, `url`, physical names). */
  readonly outputs: Record<string, any>;
  /** false for component resources (`sst:*`), true for cloud resources. */
  readonly custom: boolean;
  /** Resource options; `dependsOn` as the logical names of the resources it names. */
  readonly options: { retainOnDelete?: boolean; protect?: boolean; dependsOn?: readonly string[] };
}

type Match = string | RegExp | ((r: RecordedResource) => boolean);

function matches(r: RecordedResource, match: Match | undefined): boolean {
  if (match === undefined) return true;
  if (typeof match === "string") return r.name === match;
  if (match instanceof RegExp) return match.test(r.name);
  return match(r);
}

/** The recorded resources of one synth, with lookups that fail loudly. */
export class Resources {
  readonly all: readonly RecordedResource[];

  constructor(all: readonly RecordedResource[]) {
    this.all = all;
  }

  ofType(type: string, match?: Match): RecordedResource[] {
    return this.all.filter((r) => r.type === type && matches(r, match));
  }

  /** Exactly one resource of the type (and name / pattern / predicate). */
  one(type: string, match?: Match): RecordedResource {
    const found = this.ofType(type, match);
    if (found.length !== 1) {
      const names = this.ofType(type).map((r) => r.name);
      throw new ResourceLookupError(
        `expected one ${type}${match === undefined ? "" : ` matching ${String(match)}`}, found ${found.length} (of: ${names.join(", ") || "none"})`,
      );
    }
    return found[0]!;
  }

  has(type: string, match?: Match): boolean {
    return this.ofType(type, match).length > 0;
  }

  /** The Lambda function and IAM role behind an `sst.aws.Function` component. */
  lambda(component: string): { fn: RecordedResource; role: RecordedResource } {
    return {
      fn: this.one("aws:lambda/function:Function", `${component}Function`),
      role: this.one("aws:iam/role:Role", `${component}Role`),
    };
  }
}
