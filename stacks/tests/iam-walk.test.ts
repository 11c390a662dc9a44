/** The IAM statement walk the least-privilege checks rely on: it must find policies wherever they sit. */
import { describe, expect, it } from "vitest";
import { policyStatements, wildcardGrants } from "./harness/iam.ts";
import type { RecordedResource } from "./harness/resources.ts";

const resource = (type: string, name: string, inputs: Record<string, unknown>): RecordedResource => ({
  type,
  name,
  inputs,
  outputs: inputs,
  custom: true,
  options: {},
});

const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });

describe("policyStatements", () => {
  it("finds statements in JSON strings, objects, arrays and single-statement documents", () => {
    const found = policyStatements([
      resource("aws:iam/role:Role", "R", {
        assumeRolePolicy: doc({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } }),
        inlinePolicies: [{ name: "inline", policy: JSON.stringify(doc({ Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:x" })) }],
      }),
      resource("aws:iam/rolePolicy:RolePolicy", "P", {
        policy: JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "sqs:SendMessage", Resource: "q" } }),
      }),
    ]);
    expect(found.map((s) => [s.source, s.actions])).toEqual([
      ["aws:iam/role:Role::R.assumeRolePolicy.Statement[0]", ["sts:AssumeRole"]],
      ["aws:iam/role:Role::R.inlinePolicies[0].policy.Statement[0]", ["s3:PutObject"]],
      ["aws:iam/rolePolicy:RolePolicy::P.policy.Statement[0]", ["sqs:SendMessage"]],
    ]);
  });

  it("reads getPolicyDocument call inputs too", () => {
    const found = policyStatements([], [
      { token: "aws:iam/getPolicyDocument:getPolicyDocument", inputs: { statements: [{ actions: ["kinesis:*"], resources: ["s"] }] } },
      { token: "aws:index/getRegion:getRegion", inputs: {} },
    ]);
    expect(found).toEqual([expect.objectContaining({ effect: "Allow", actions: ["kinesis:*"], resources: ["s"] })]);
  });

  it("ignores strings that are not policy documents", () => {
    expect(policyStatements([resource("aws:lambda/function:Function", "F", { description: "{ Statement", handler: "x.y" })])).toEqual([]);
  });
});

describe("wildcardGrants", () => {
  const statements = policyStatements([
    resource("aws:iam/policy:Policy", "P", {
      policy: JSON.stringify(
        doc(
          { Effect: "Allow", Action: ["s3:PutObject"], Resource: "*" },
          { Effect: "Allow", Action: "*", Resource: "a" },
          { Effect: "Allow", Action: ["kinesis:*"], Resource: "b" },
          { Effect: "Allow", Action: ["s3:Get*"], Resource: "c" },
          { Effect: "Allow", NotAction: ["iam:*"], Resource: "d" },
          { Effect: "Deny", Action: ["s3:*"], Resource: "e" },
        ),
      ),
    }),
  ]);

  it("flags `*`, `service:*`, partial wildcards and NotAction in Allow statements only", () => {
    expect(wildcardGrants(statements).map((s) => s.resources[0])).toEqual(["a", "b", "c", "d"]);
  });
});
