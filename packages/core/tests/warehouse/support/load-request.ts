import type { LoadRequest } from "@freshet/core";

/** A load of two processed objects and one receipt spanning two arrival hours. */
export function loadRequestFixture(overrides: Partial<LoadRequest> = {}): LoadRequest {
  return {
    loadId: "load-20261126T0510Z",
    manifestUrl: "s3://freshet-local-lake/manifests/load-20261126T0510Z.json",
    iamRoleArn: "arn:aws:iam::123456789012:role/freshet-ci-WarehouseCopyRole",
    objects: [
      { key: "processed/dt=2026-11-26/hr=05/shard-1-100-200.ndjson.gz", sizeBytes: 1234, etag: '"9b2cf535f27731c974343645a3985328"', rows: 20 },
      { key: "processed/dt=2026-11-26/hr=04/shard-1-100-200.ndjson.gz", sizeBytes: 321, etag: null },
    ],
    receipts: [
      {
        batch_id: "shard-1-100-200",
        windows: [
          { window: "2026-11-26T04", received: 3, processed: 2, filtered: 1, dead_lettered: 0 },
          { window: "2026-11-26T05", received: 25, processed: 22, filtered: 2, dead_lettered: 1 },
        ],
      },
    ],
    startedAt: "2026-11-26T05:10:00.000Z",
    intervalSeconds: 300,
    ...overrides,
  };
}
