import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { TRIAGE_ALERT_STATE_KEY } from "@freshet/core";
import { describe, expect, it } from "vitest";
import { alertWithCooldown, outOfCooldown } from "../src/triage/alert-cooldown.ts";

/** An in-memory bucket answering the three calls the cooldown makes. */
function bucket() {
  const objects = new Map<string, string>();
  const s3 = {
    async send(command: unknown) {
      if (command instanceof ListObjectsV2Command) return { Contents: [...objects.keys()].filter((k) => k.startsWith(command.input.Prefix ?? "")).map((Key) => ({ Key })) };
      if (command instanceof GetObjectCommand) return { Body: { transformToString: async () => objects.get(command.input.Key!)! } };
      if (command instanceof PutObjectCommand) return void objects.set(command.input.Key!, String(command.input.Body));
      throw new Error("unexpected command");
    },
  };
  return { s3: s3 as unknown as S3Client, objects };
}

describe("triage's alert cooldown: one incident, one alert", () => {
  it("lets the first alert over the threshold through, holds the next ones for the cooldown, then lets one through again", async () => {
    const { s3, objects } = bucket();
    const at = (minutes: number) => new Date(Date.UTC(2026, 11, 7, 4, minutes));
    expect(await alertWithCooldown(s3, "lake", true, at(0), 60)).toBe(true);
    expect(JSON.parse(objects.get(TRIAGE_ALERT_STATE_KEY)!)).toEqual({ lastAlertAt: at(0).toISOString() });
    expect(await alertWithCooldown(s3, "lake", true, at(1), 60)).toBe(false);
    expect(await alertWithCooldown(s3, "lake", true, at(59), 60)).toBe(false);
    expect(await alertWithCooldown(s3, "lake", true, new Date(at(0).getTime() + 60 * 60_000), 60)).toBe(true);
  });

  it("never alerts under the threshold, and writes nothing then", async () => {
    const { s3, objects } = bucket();
    expect(await alertWithCooldown(s3, "lake", false, new Date(), 60)).toBe(false);
    expect(objects.size).toBe(0);
  });

  it("treats an unreadable last time as no alert yet", () => {
    expect(outOfCooldown(undefined, new Date(), 60)).toBe(true);
    expect(outOfCooldown("not a time", new Date(), 60)).toBe(true);
    expect(outOfCooldown(new Date(Date.UTC(2026, 0, 1)).toISOString(), new Date(Date.UTC(2026, 0, 1, 0, 30)), 60)).toBe(false);
  });
});
