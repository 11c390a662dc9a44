/**
 * SST's default links grant whole services on the linked resource: `kinesis:*` (KinesisStream),
 * `s3:*` (Bucket), `sqs:*` (Queue), `sns:*` (SnsTopic), `events:*` (Bus). Freshet keeps what a
 * link carries for the handler (`Resource.Lake.name`, …) and drops the IAM part, so a link never
 * grants anything: each function names the actions it needs in its own `permissions`
 * (see `permissions.ts`), which keeps every role least-privilege and readable where it is defined.
 */

const STRIPPED = Symbol.for("freshet.linkPermissionsStripped");

type LinkDefinition = {
  properties: Record<string, unknown>;
  include?: { type: string; [key: string]: unknown }[];
};

// `any` as in `sst.Linkable.wrap`'s own signature: component constructors differ in arguments.
type LinkableClass = { new (...args: any[]): unknown; prototype: object };

export function stripLinkPermissions(): void {
  for (const cls of [sst.aws.KinesisStream, sst.aws.Bucket, sst.aws.Queue, sst.aws.SnsTopic, sst.aws.Bus]) {
    strip(cls);
  }
}

function strip(cls: LinkableClass): void {
  const proto = cls.prototype as { getSSTLink: () => LinkDefinition; [STRIPPED]?: true };
  if (proto[STRIPPED]) return; // idempotent: a second run() in one process must not re-wrap
  const original = proto.getSSTLink;
  sst.Linkable.wrap(cls, (resource) => {
    const link = original.call(resource);
    return {
      properties: link.properties,
      include: (link.include ?? []).filter((item) => item.type !== "aws.permission"),
    };
  });
  proto[STRIPPED] = true;
}
