import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { removeDataDir, startS3, type S3Harness } from "./harness.ts";

let s3: S3Harness | undefined;
afterEach(async () => {
  if (!s3) return;
  await s3.stop();
  await removeDataDir(s3.dataDir);
  s3 = undefined;
});

async function failure(promise: Promise<unknown>): Promise<S3ServiceException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof S3ServiceException)) throw new Error(`expected an S3 error, got ${String(error)}`);
  return error;
}

describe("buckets", () => {
  it("creates, heads, lists and deletes buckets", async () => {
    s3 = await startS3();
    const created = await s3.client.send(new CreateBucketCommand({ Bucket: "lake" }));
    expect(created.Location).toBe("/lake");
    await s3.client.send(new CreateBucketCommand({ Bucket: "archive-2026" }));
    const head = await s3.client.send(new HeadBucketCommand({ Bucket: "lake" }));
    expect(head.BucketRegion).toBe("us-east-1");
    const listed = await s3.client.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((b) => b.Name)).toEqual(["archive-2026", "lake"]);
    expect(listed.Buckets?.[0]?.CreationDate).toBeInstanceOf(Date);
    expect(listed.Owner?.DisplayName).toBe("freshet-local");
    const location = await s3.client.send(new GetBucketLocationCommand({ Bucket: "lake" }));
    expect(location.LocationConstraint).toBeUndefined();

    const deleted = await s3.client.send(new DeleteBucketCommand({ Bucket: "archive-2026" }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect((await s3.client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(["lake"]);
    const gone = await failure(s3.client.send(new HeadBucketCommand({ Bucket: "archive-2026" })));
    expect(gone.$metadata.httpStatusCode).toBe(404);
  });

  it("answers 200 for re-creating an owned bucket in us-east-1 and BucketAlreadyOwnedByYou elsewhere", async () => {
    s3 = await startS3();
    await s3.client.send(new CreateBucketCommand({ Bucket: "lake" }));
    const again = await s3.client.send(new CreateBucketCommand({ Bucket: "lake" }));
    expect(again.$metadata.httpStatusCode).toBe(200);
    await s3.stop();

    s3 = await startS3({ dataDir: s3.dataDir, region: "eu-west-1" });
    await s3.client.send(
      new CreateBucketCommand({ Bucket: "eu-lake", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }),
    );
    const owned = await failure(s3.client.send(new CreateBucketCommand({ Bucket: "eu-lake" })));
    expect(owned.name).toBe("BucketAlreadyOwnedByYou");
    expect(owned.$metadata.httpStatusCode).toBe(409);
    const location = await s3.client.send(new GetBucketLocationCommand({ Bucket: "eu-lake" }));
    expect(location.LocationConstraint).toBe("eu-west-1");
  });

  it("refuses to delete a non-empty bucket or one that does not exist", async () => {
    s3 = await startS3();
    await s3.client.send(new CreateBucketCommand({ Bucket: "lake" }));
    await s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "a/b", Body: "x" }));
    const notEmpty = await failure(s3.client.send(new DeleteBucketCommand({ Bucket: "lake" })));
    expect(notEmpty.name).toBe("BucketNotEmpty");
    expect(notEmpty.$metadata.httpStatusCode).toBe(409);
    await s3.client.send(new DeleteObjectCommand({ Bucket: "lake", Key: "a/b" }));
    await s3.client.send(new DeleteBucketCommand({ Bucket: "lake" }));
    const missing = await failure(s3.client.send(new DeleteBucketCommand({ Bucket: "lake" })));
    expect(missing.name).toBe("NoSuchBucket");
    const putAfter = await failure(s3.client.send(new PutObjectCommand({ Bucket: "lake", Key: "k", Body: "x" })));
    expect(putAfter.name).toBe("NoSuchBucket");
  });

  it("rejects invalid bucket names and answers NotImplemented for sub-resources it does not serve", async () => {
    s3 = await startS3();
    for (const name of ["ab", "UPPER", "a..b", "-lead", "192.168.1.1", "x".repeat(64)]) {
      const error = await failure(s3.client.send(new CreateBucketCommand({ Bucket: name })));
      expect([name, error.name]).toEqual([name, "InvalidBucketName"]);
    }
    await s3.client.send(new CreateBucketCommand({ Bucket: "lake" }));
    const versioning = await failure(s3.client.send(new GetBucketVersioningCommand({ Bucket: "lake" })));
    expect(versioning.name).toBe("NotImplemented");
    expect(versioning.$metadata.httpStatusCode).toBe(501);
  });
});
