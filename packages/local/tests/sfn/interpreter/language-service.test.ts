import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { validateDefinition } from "../../../src/sfn/interpreter/index.ts";
import { machine } from "./harness.ts";

interface Diagnostic {
  readonly message: string;
}
interface LanguageService {
  parseJSONDocument(document: unknown): unknown;
  doValidation(document: unknown, json: unknown): Promise<Diagnostic[]>;
}

// AWS's own ASL language service (the one behind the VS Code toolkit): a second opinion on the
// structural checks asl-validator misses (FACTS.md: "Use both in tests"). CommonJS without ESM types.
const asls = createRequire(import.meta.url)("amazon-states-language-service") as {
  getLanguageService(params: object): LanguageService;
  TextDocument: { create(uri: string, language: string, version: number, text: string): unknown };
};
const service = asls.getLanguageService({});

async function languageServiceMessages(definition: unknown): Promise<string[]> {
  const document = asls.TextDocument.create("file:///definition.asl.json", "json", 1, JSON.stringify(definition, null, 2));
  return (await service.doValidation(document, service.parseJSONDocument(document))).map((d) => d.message);
}

const pass = { Type: "Pass", End: true };

const cases: [string, Record<string, unknown>][] = [
  ["a Next naming no state", machine({ A: { Type: "Pass", Next: "Missing" } })],
  ["an unreachable state", machine({ A: pass, Orphan: pass })],
  ["a bad JitterStrategy", machine({ T: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Retry: [{ ErrorEquals: ["E"], JitterStrategy: "SOME" }], End: true } })],
  ["a Default naming no state", machine({ C: { Type: "Choice", Choices: [{ Condition: "{% true %}", Next: "D" }], Default: "Gone" }, D: { Type: "Succeed" } })],
  ["a branch state jumping out of its Parallel", machine({ P: { Type: "Parallel", Branches: [{ StartAt: "In", States: { In: { Type: "Pass", Next: "P" } } }], End: true } })],
];

describe("validateDefinition agrees with amazon-states-language-service", () => {
  it("accepts a JSONata definition using every supported state type", async () => {
    const definition = machine({
      Start: { Type: "Pass", Assign: { n: 0 }, Next: "Loop" },
      Loop: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:s3:headObject",
        Arguments: { Bucket: "lake", Key: "{% $states.input.key %}" },
        TimeoutSeconds: "{% 5 %}",
        Retry: [{ ErrorEquals: ["S3.NoSuchKeyException"], IntervalSeconds: 3, MaxAttempts: 2, BackoffRate: 1.5, MaxDelaySeconds: 10, JitterStrategy: "FULL" }],
        Catch: [{ ErrorEquals: ["States.ALL"], Output: "{% $states.errorOutput %}", Next: "Failed" }],
        Next: "Route",
      },
      Route: { Type: "Choice", Choices: [{ Condition: "{% $n > 3 %}", Next: "Each" }, { Condition: true, Next: "Both" }], Default: "Pause" },
      Pause: { Type: "Wait", Seconds: "{% $n * 2 %}", Assign: { n: "{% $n + 1 %}" }, Next: "Loop" },
      Each: {
        Type: "Map",
        Items: "{% $states.input %}",
        ItemSelector: { value: "{% $states.context.Map.Item.Value %}" },
        MaxConcurrency: 2,
        ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "X", States: { X: pass } },
        Next: "Done",
      },
      Both: { Type: "Parallel", Arguments: { a: 1 }, Branches: [{ StartAt: "Y", States: { Y: { Type: "Succeed" } } }], Next: "Done" },
      Done: { Type: "Succeed" },
      Failed: { Type: "Fail", Error: "{% $states.input.Error %}", Cause: "lookup failed" },
    });
    expect(await languageServiceMessages(definition)).toEqual([]);
    expect(validateDefinition(definition)).toEqual([]);
  });

  for (const [what, definition] of cases) {
    it(`refuses ${what}`, async () => {
      expect(await languageServiceMessages(definition)).not.toEqual([]);
      expect(validateDefinition(definition).filter((p) => !p.message.startsWith("asl-validator:"))).not.toEqual([]);
    });
  }
});
