import { describe, expect, it } from "vitest";
import { judgeBatchResponse } from "../../src/esm/index.ts";

const seqs = ["100", "200", "300"];

describe("judgeBatchResponse (Lambda's success and failure conditions for stream batches)", () => {
  it.each([
    ["undefined", undefined],
    ["null", null],
    ["an empty object", {}],
    ["a null list", { batchItemFailures: null }],
    ["an empty list", { batchItemFailures: [] }],
    ["a string", "ok"],
  ])("treats %s as complete success", (_label, response) => {
    expect(judgeBatchResponse(response, seqs, true)).toEqual({ kind: "success" });
  });

  it("resumes at the lowest failed sequence number, whatever the order of the list", () => {
    const response = { batchItemFailures: [{ itemIdentifier: "300" }, { itemIdentifier: "200" }] };
    expect(judgeBatchResponse(response, seqs, true)).toEqual({ kind: "partial", firstFailedIndex: 1 });
  });

  it.each([
    ["an empty itemIdentifier", { batchItemFailures: [{ itemIdentifier: "" }] }],
    ["a null itemIdentifier", { batchItemFailures: [{ itemIdentifier: null }] }],
    ["a wrong key name", { batchItemFailures: [{ itemId: "200" }] }],
    ["an identifier outside the batch", { batchItemFailures: [{ itemIdentifier: "999" }] }],
    ["a non-list", { batchItemFailures: "200" }],
  ])("fails the whole batch for %s", (_label, response) => {
    expect(judgeBatchResponse(response, seqs, true).kind).toBe("invalid");
  });

  it("ignores the response without ReportBatchItemFailures", () => {
    expect(judgeBatchResponse({ batchItemFailures: [{ itemIdentifier: "" }] }, seqs, false)).toEqual({ kind: "success" });
  });
});
