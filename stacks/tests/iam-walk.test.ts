/** The IAM statement walk the least-privilege checks rely on: it must find policies wherever they sit. */
import { describe, expect, it } from "vitest";
import { STATEMENT_OWNER_KEY, ownStatementsCondition } from "@freshet/workflows";
import { isAllowed, policyStatements, roleStatements, wildcardGrants, type FoundStatement } from "./harness/iam.ts";
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
    expect(found).toEqual([expect.objectContaining({ effect: "Allow", actions: ["kinesis:*"], resources: ["s"], conditions: {} })]);
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

describe("roleStatements", () => {
  it("gathers a role's inline policies and the RolePolicy resources attached to it, not its trust policy or other roles' policies", () => {
    const role = resource("aws:iam/role:Role", "R", {
      assumeRolePolicy: doc({ Effect: "Allow", Action: "sts:AssumeRole" }),
      inlinePolicies: [{ name: "inline", policy: JSON.stringify(doc({ Effect: "Allow", Action: "sqs:SendMessage", Resource: "q" })) }],
    });
    const named = { ...role, outputs: { ...role.outputs, name: "r-name" } };
    const attached = resource("aws:iam/rolePolicy:RolePolicy", "P", {
      role: "r-name",
      policy: JSON.stringify(doc({ Effect: "Allow", Action: "tag:GetResources", Resource: "*", Condition: { StringLike: { k: "v*" } } })),
    });
    const other = resource("aws:iam/rolePolicy:RolePolicy", "Q", { role: "other", policy: JSON.stringify(doc({ Effect: "Allow", Action: "s3:PutObject", Resource: "*" })) });
    const found = roleStatements([named, attached, other], named);
    expect(found.map((s) => [s.actions, s.conditions])).toEqual([
      [["sqs:SendMessage"], {}],
      [["tag:GetResources"], { StringLike: { k: ["v*"] } }],
    ]);
  });
});

describe("isAllowed", () => {
  const allow = (actions: string[], resources: string[], conditions: FoundStatement["conditions"] = {}): FoundStatement => ({
    source: "test",
    effect: "Allow",
    actions,
    notActions: [],
    resources,
    conditions,
  });
  const request = (context: Record<string, string>) => ({ action: "redshift-data:DescribeStatement", resource: "*", context });

  it("matches actions (case-insensitively, with wildcards) and resources", () => {
    const s = [allow(["s3:Get*"], ["arn:aws:s3:::b/processed/*"])];
    expect(isAllowed(s, { action: "s3:getobject", resource: "arn:aws:s3:::b/processed/x", context: {} })).toBe(true);
    expect(isAllowed(s, { action: "s3:GetObject", resource: "arn:aws:s3:::b/raw/x", context: {} })).toBe(false);
    expect(isAllowed(s, { action: "s3:PutObject", resource: "arn:aws:s3:::b/processed/x", context: {} })).toBe(false);
  });

  it("lets an explicit Deny win", () => {
    const s = [allow(["s3:GetObject"], ["*"]), { ...allow(["s3:GetObject"], ["arn:x"]), effect: "Deny" as const }];
    expect(isAllowed(s, { action: "s3:GetObject", resource: "arn:x", context: {} })).toBe(false);
    expect(isAllowed(s, { action: "s3:GetObject", resource: "arn:y", context: {} })).toBe(true);
  });

  it("never matches a condition whose key the request lacks, or an operator it does not know", () => {
    expect(isAllowed([allow(["redshift-data:DescribeStatement"], ["*"], { StringEquals: { [STATEMENT_OWNER_KEY]: ["a"] } })], request({}))).toBe(false);
    expect(isAllowed([allow(["redshift-data:DescribeStatement"], ["*"], { NumericEquals: { [STATEMENT_OWNER_KEY]: ["1"] } })], request({ [STATEMENT_OWNER_KEY]: "1" }))).toBe(false);
  });

  // aws:userid of an assumed role is `<role unique id>:<session name>` (IAM policy variables).
  const sessionA = { "aws:userid": "AROAROLE:session-a" };

  it("with the `${aws:userid}` owner condition, denies a statement another session of the same role submitted", () => {
    const old = [allow(["redshift-data:DescribeStatement"], ["*"], { StringEquals: { [STATEMENT_OWNER_KEY]: ["${aws:userid}"] } })];
    expect(isAllowed(old, request({ ...sessionA, [STATEMENT_OWNER_KEY]: "AROAROLE:session-a" }))).toBe(true);
    expect(isAllowed(old, request({ ...sessionA, [STATEMENT_OWNER_KEY]: "AROAROLE:session-b" }))).toBe(false);
  });

  it("with ownStatementsCondition, allows any session of the role and no other role", () => {
    const own = [allow(["redshift-data:DescribeStatement"], ["*"], ownStatementsCondition("AROAROLE"))];
    expect(isAllowed(own, request({ ...sessionA, [STATEMENT_OWNER_KEY]: "AROAROLE:session-a" }))).toBe(true);
    expect(isAllowed(own, request({ ...sessionA, [STATEMENT_OWNER_KEY]: "AROAROLE:session-b" }))).toBe(true);
    expect(isAllowed(own, request({ ...sessionA, [STATEMENT_OWNER_KEY]: "AROAOTHER:session-a" }))).toBe(false);
    // A role id that merely starts with this one's is another role.
    expect(isAllowed(own, request({ ...sessionA, [STATEMENT_OWNER_KEY]: "AROAROLE2:session-a" }))).toBe(false);
  });
});
