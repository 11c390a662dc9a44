import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { readTextIfExists } from "../src/load/s3-objects.ts";

/**
 * S3 as a role whose s3:ListBucket is narrowed by prefix sees it: a GET of a missing key is 403
 * AccessDenied, not 404. A fake client here, to order the race exactly; s3-absent-keys.test.ts
 * runs the same reads on the embedded S3 answering 403 (its `missingKeys` option).
 */
function s3As(objects: Map<string, string>, hooks: { beforeGet?: (key: string) => void; deny?: Set<string> } = {}) {
  const calls: string[] = [];
  const client = {
    async send(command: unknown) {
      if (command instanceof ListObjectsV2Command) {
        calls.push(`list ${command.input.Prefix}`);
        return { Contents: [...objects.keys()].filter((k) => k.startsWith(command.input.Prefix ?? "")).map((Key) => ({ Key })) };
      }
      if (command instanceof GetObjectCommand) {
        const key = command.input.Key!;
        calls.push(`get ${key}`);
        hooks.beforeGet?.(key);
        const text = objects.get(key);
        if (text === undefined || hooks.deny?.has(key)) throw Object.assign(new Error("Access Denied"), { name: "AccessDenied" });
        return { Body: { transformToString: async () => text } };
      }
      throw new Error("unexpected command");
    },
  };
  return { s3: client as unknown as S3Client, calls };
}

describe("readTextIfExists", () => {
  it("reads a key that exists", async () => {
    const { s3 } = s3As(new Map([["manifests/state/x.json", "{}"]]));
    expect(await readTextIfExists(s3, "lake", "manifests/state/x.json")).toBe("{}");
  });

  it("answers undefined for a missing key from the listing, without a GET S3 would refuse", async () => {
    const { s3, calls } = s3As(new Map([["manifests/state/x.json.old", "{}"]]));
    expect(await readTextIfExists(s3, "lake", "manifests/state/x.json")).toBeUndefined();
    expect(calls).toEqual(["list manifests/state/x.json"]);
  });

  it("answers undefined for a key deleted between the listing and the read (403 from S3)", async () => {
    const objects = new Map([["dlq/triage/ledger/a.done.json", "{}"]]);
    const { s3, calls } = s3As(objects, { beforeGet: (key) => objects.delete(key) });
    expect(await readTextIfExists(s3, "lake", "dlq/triage/ledger/a.done.json")).toBeUndefined();
    expect(calls).toEqual(["list dlq/triage/ledger/a.done.json", "get dlq/triage/ledger/a.done.json", "list dlq/triage/ledger/a.done.json"]);
  });

  it("throws a real refusal of a key that is there", async () => {
    const { s3 } = s3As(new Map([["manifests/state/x.json", "{}"]]), { deny: new Set(["manifests/state/x.json"]) });
    await expect(readTextIfExists(s3, "lake", "manifests/state/x.json")).rejects.toThrow("Access Denied");
  });
});
