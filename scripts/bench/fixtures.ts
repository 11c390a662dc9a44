import type { KinesisStreamEvent } from "aws-lambda";
import { generateEvents } from "../../packages/local/src/traffic/events.ts";

/** A realistic 500-record Kinesis batch (valid v1/v2 events with a few invalid ones and heartbeats). */
export function kinesisBatch(size = 500, seed = 7, firstSequence = 1n): KinesisStreamEvent {
  const now = new Date();
  const arrival = now.getTime() / 1000;
  return {
    Records: generateEvents(size, now, seed).map((e, i) => ({
      kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey: `pk-${i}`,
        sequenceNumber: String(firstSequence + BigInt(i)).padStart(56, "4"),
        data: Buffer.from(e.line).toString("base64"),
        approximateArrivalTimestamp: arrival,
      },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `shardId-000000000000:${String(firstSequence + BigInt(i)).padStart(56, "4")}`,
      eventName: "aws:kinesis:record",
      invokeIdentityArn: "arn:aws:iam::000000000000:role/bench",
      awsRegion: "us-east-1",
      eventSourceARN: "arn:aws:kinesis:us-east-1:000000000000:stream/bench",
    })),
  };
}
