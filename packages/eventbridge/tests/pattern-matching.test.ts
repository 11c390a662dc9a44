import { describe, expect, it } from "vitest";
import { matchesPattern } from "../src/index.ts";

// The sample event of the EventBridge user guide ("Amazon EventBridge event patterns").
const EC2_EVENT = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" },
};

const withDetail = (detail: unknown) => ({ ...EC2_EVENT, detail });
const match = (pattern: object, event: unknown) => matchesPattern(pattern, event);

describe("exact values, AND across fields, OR within a field", () => {
  it("selects the guide's EC2 termination events and nothing else", () => {
    const pattern = { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], detail: { state: ["terminated"] } };
    expect(match(pattern, EC2_EVENT)).toBe(true);
    expect(match(pattern, withDetail({ state: "running" }))).toBe(false);
    expect(match(pattern, { ...EC2_EVENT, source: "aws.s3" })).toBe(false);
    expect(match({ detail: { state: ["pending", "terminated"] } }, EC2_EVENT)).toBe(true);
  });

  it("compares strings exactly: case, whitespace and emoji included", () => {
    const s = "A CamelCase string with an emoji 🚀 and trailing whitespace ";
    expect(match({ detail: { s: [s] } }, withDetail({ s }))).toBe(true);
    expect(match({ detail: { s: [s.trim()] } }, withDetail({ s }))).toBe(false);
    expect(match({ MY_KEY: ["v"] }, { my_key: "v" })).toBe(false);
  });

  it("matches numbers by value, never a string of digits", () => {
    expect(match({ n: [300] }, { n: 300.0 })).toBe(true);
    expect(match({ n: [300] }, '{"n": 3.0e2}')).toBe(true);
    expect(match({ n: [300] }, { n: "300" })).toBe(false);
    expect(match({ n: ["300"] }, { n: 300 })).toBe(false);
  });

  it("matches true, false and null only as JSON literals", () => {
    expect(match({ b: [false] }, { b: false })).toBe(true);
    expect(match({ b: [false] }, { b: true })).toBe(false);
    expect(match({ b: [true] }, { b: "true" })).toBe(false);
    expect(match({ r: [null] }, { r: null })).toBe(true);
    expect(match({ r: [null] }, { r: "null" })).toBe(false);
    expect(match({ r: [null] }, {})).toBe(false);
  });

  it("matches the empty string only against an empty string", () => {
    expect(match({ v: [""] }, { v: "" })).toBe(true);
    expect(match({ v: [""] }, { v: null })).toBe(false);
  });

  it("compares an IP address as an address", () => {
    expect(match({ ip: ["10.0.0.1"] }, { ip: "10.0.0.1" })).toBe(true);
    expect(match({ ip: ["10.0.0.1"] }, { ip: "10.0.0.01" })).toBe(true);
    expect(match({ ip: ["2001:db8::1"] }, { ip: "2001:DB8:0:0:0:0:0:1" })).toBe(true);
    expect(match({ ip: ["10.0.0.1"] }, { ip: "10.0.0.2" })).toBe(false);
  });

  it("never matches a leaf against an object, and does not parse JSON held in a string", () => {
    expect(match({ detail: ["x"] }, withDetail({ a: 1 }))).toBe(false);
    expect(match({ detail: { "my-key": ["my-value"] } }, { detail: '{"my-key": "my-value"}' })).toBe(false);
  });

  it("joins nested keys with dots, so dotted keys and nesting are the same path", () => {
    expect(match({ detail: { state: { status: ["running"] } } }, withDetail({ "state.status": "running" }))).toBe(true);
    expect(match({ detail: { "state.status": ["running"] } }, withDetail({ state: { status: "running" } }))).toBe(true);
    expect(match({ detail: { state: { status: ["running"] } } }, withDetail({ "state.status": { status: "running" } }))).toBe(false);
  });
});

describe("arrays in events", () => {
  const RESOURCES = ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f", "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f"];

  it("matches when the pattern's values and the event's array intersect (guide example)", () => {
    const event = { resources: ["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b", RESOURCES[0]] };
    expect(match({ resources: RESOURCES }, event)).toBe(true);
    expect(match({ resources: RESOURCES }, { resources: [event.resources[0]] })).toBe(false);
    expect(match({ resources: [null] }, { resources: [] })).toBe(false);
  });

  it("looks through nested arrays and arrays of objects", () => {
    const event = { detail: { automations: [{ key1: "value1" }, { id: "match-does-exist" }, { key2: "value2" }] } };
    expect(match({ detail: { automations: { id: [{ exists: true }] } } }, event)).toBe(true);
    expect(match({ a: { b: [1] } }, { a: [[{ b: 1 }]] })).toBe(true);
  });

  it("takes fields of one pattern from the same element of an array of objects", () => {
    const event = { employees: [{ firstName: "John", lastName: "Doe" }, { firstName: "Anna", lastName: "Smith" }, { firstName: "Peter", lastName: "Jones" }] };
    expect(match({ employees: { firstName: ["Anna"] } }, event)).toBe(true);
    expect(match({ employees: { firstName: ["Anna"], lastName: ["Smith"] } }, event)).toBe(true);
    expect(match({ employees: { firstName: ["Anna"], lastName: ["Jones"] } }, event)).toBe(false);
  });

  it("checks exists:false within the element chosen for the other fields", () => {
    const pattern = { x: { b: [1], c: [{ exists: false }] } };
    expect(match(pattern, { x: [{ b: 1, c: 2 }, { b: 2 }] })).toBe(false);
    expect(match(pattern, { x: [{ b: 1 }, { c: 2 }] })).toBe(true);
  });
});

describe("prefix and suffix", () => {
  it("match the start or end of strings only", () => {
    expect(match({ time: [{ prefix: "2017-12-22" }] }, EC2_EVENT)).toBe(true);
    expect(match({ time: [{ prefix: "2017-12-23" }] }, EC2_EVENT)).toBe(false);
    expect(match({ FileName: [{ suffix: ".png" }] }, { FileName: "image.png" })).toBe(true);
    expect(match({ FileName: [{ suffix: ".PNG" }] }, { FileName: "image.png" })).toBe(false);
    expect(match({ n: [{ prefix: "1" }] }, { n: 12 })).toBe(false);
  });

  it("with an empty value match every string, and only strings", () => {
    expect(match({ source: [{ prefix: "" }] }, EC2_EVENT)).toBe(true);
    expect(match({ v: [{ suffix: "" }] }, { v: "" })).toBe(true);
    expect(match({ v: [{ prefix: "" }] }, { v: null })).toBe(false);
    expect(match({ v: [{ prefix: "" }] }, { v: 5 })).toBe(false);
  });

  it("ignore case when wrapped around equals-ignore-case", () => {
    expect(match({ detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } }, withDetail({ service: "eVeNtBridge" }))).toBe(true);
    expect(match({ detail: { f: [{ suffix: { "equals-ignore-case": ".png" } }] } }, withDetail({ f: "image.PNG" }))).toBe(true);
    expect(match({ detail: { f: [{ suffix: { "equals-ignore-case": ".png" } }] } }, withDetail({ f: "image.jpg" }))).toBe(false);
  });
});

describe("equals-ignore-case", () => {
  it("compares whole strings character by character without case", () => {
    const pattern = { "detail-type": [{ "equals-ignore-case": "ec2 instance state-change notification" }] };
    expect(match(pattern, EC2_EVENT)).toBe(true);
    expect(match({ v: [{ "equals-ignore-case": "" }] }, { v: "" })).toBe(true);
    expect(match({ v: [{ "equals-ignore-case": "" }] }, { v: "x" })).toBe(false);
    // ß upper-cases to two letters; EventBridge folds one character at a time.
    expect(match({ v: [{ "equals-ignore-case": "STRASSE" }] }, { v: "straße" })).toBe(false);
  });
});

describe("wildcard", () => {
  it("matches any run of characters for each *, including none", () => {
    const arn = "arn:aws:events:us-east-1:123456789012:event-bus/myEventBus";
    expect(match({ arn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] }, { arn })).toBe(true);
    expect(match({ f: [{ wildcard: "/Users/*/doc.txt" }] }, { f: "/Users/me/dir/dir/doc.txt" })).toBe(true);
    expect(match({ f: [{ wildcard: "/Users/*/doc.txt" }] }, { f: "/Users/me/notdoc.txt.bak" })).toBe(false);
    expect(match({ f: [{ wildcard: "*" }] }, { f: "" })).toBe(true);
    expect(match({ f: [{ wildcard: "*" }] }, { f: 5 })).toBe(false);
    expect(match({ f: [{ wildcard: "" }] }, { f: "x" })).toBe(false);
  });

  it("reads \\* as a literal asterisk and \\\\ as a literal backslash", () => {
    expect(match({ v: [{ wildcard: "a\\*b" }] }, { v: "a*b" })).toBe(true);
    expect(match({ v: [{ wildcard: "a\\*b" }] }, { v: "axb" })).toBe(false);
    expect(match({ v: [{ wildcard: "a\\\\*" }] }, { v: "a\\anything" })).toBe(true);
    expect(match({ v: [{ wildcard: "a\\\\*" }] }, { v: "ab" })).toBe(false);
  });
});

describe("anything-but", () => {
  it("excludes a string, a number or a list of them (guide examples)", () => {
    expect(match({ detail: { state: [{ "anything-but": "initializing" }] } }, withDetail({ state: "pending" }))).toBe(true);
    expect(match({ detail: { state: [{ "anything-but": "initializing" }] } }, withDetail({ state: "initializing" }))).toBe(false);
    expect(match({ detail: { x: [{ "anything-but": 123 }] } }, withDetail({ x: 789 }))).toBe(true);
    expect(match({ detail: { x: [{ "anything-but": 123 }] } }, withDetail({ x: 123.0 }))).toBe(false);
    expect(match({ detail: { x: [{ "anything-but": 0 }] } }, withDetail({ x: 789 }))).toBe(true);
    expect(match({ detail: { s: [{ "anything-but": ["stopped", "overloaded"] }] } }, withDetail({ s: "stopped" }))).toBe(false);
    expect(match({ detail: { x: [{ "anything-but": [100, 200, 300] }] } }, withDetail({ x: 999 }))).toBe(true);
    expect(match({ detail: { x: [{ "anything-but": [100, 200, 300] }] } }, withDetail({ x: 300 }))).toBe(false);
  });

  it("matches null and values of another type, but not a missing field", () => {
    expect(match({ detail: { state: [{ "anything-but": "initializing" }] } }, withDetail({ state: null }))).toBe(true);
    expect(match({ detail: { state: [{ "anything-but": "initializing" }] } }, withDetail({}))).toBe(false);
    expect(match({ detail: { x: [{ "anything-but": [100, 200] }] } }, withDetail({ x: "100" }))).toBe(true);
    expect(match({ detail: { x: [{ "anything-but": "x" }] } }, withDetail({ x: 5 }))).toBe(true);
  });

  it("matches an event array that holds any other value", () => {
    expect(match({ v: [{ "anything-but": "x" }] }, { v: ["x", "y"] })).toBe(true);
    expect(match({ v: [{ "anything-but": "x" }] }, { v: ["x"] })).toBe(false);
  });

  it("excludes by prefix, suffix, case-insensitive value and wildcard, one value or a list", () => {
    const d = (state: unknown) => withDetail({ state });
    expect(match({ detail: { state: [{ "anything-but": { prefix: "init" } }] } }, d("post-init"))).toBe(true);
    expect(match({ detail: { state: [{ "anything-but": { prefix: "init" } }] } }, d("init-x"))).toBe(false);
    expect(match({ detail: { state: [{ "anything-but": { prefix: ["init", "post"] } }] } }, d("post-init"))).toBe(false);
    expect(match({ detail: { state: [{ "anything-but": { suffix: ".txt" } }] } }, d("file.txt.bak"))).toBe(true);
    expect(match({ detail: { state: [{ "anything-but": { suffix: [".txt", ".jpg"] } }] } }, d("file.jpg"))).toBe(false);
    expect(match({ detail: { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] } }, d("INITIALIZING"))).toBe(false);
    expect(match({ detail: { state: [{ "anything-but": { "equals-ignore-case": ["a", "stopped"] } }] } }, d("Stopped"))).toBe(false);
    expect(match({ detail: { state: [{ "anything-but": { wildcard: "*/init/*" } }] } }, d("dir/init/file"))).toBe(false);
    expect(match({ detail: { state: [{ "anything-but": { wildcard: ["*/init/*", "*/dir/*"] } }] } }, d("dir/post/dir"))).toBe(true);
    // Not strings: never excluded by a string form.
    expect(match({ detail: { state: [{ "anything-but": { prefix: "init" } }] } }, d(12))).toBe(true);
    expect(match({ detail: { state: [{ "anything-but": { wildcard: "*" } }] } }, d(null))).toBe(true);
    expect(match({ detail: { state: [{ "anything-but": { suffix: ".txt" } }] } }, withDetail({}))).toBe(false);
  });
});

describe("numeric", () => {
  const COUNTS = { "c-count": [{ numeric: [">", 0, "<=", 5] }], "d-count": [{ numeric: ["<", 10] }], "x-limit": [{ numeric: ["=", 3.018e2] }] };

  it("matches ranges and equality (guide example), all fields at once", () => {
    expect(match({ detail: COUNTS }, withDetail({ "c-count": 5, "d-count": 3, "x-limit": 301.8 }))).toBe(true);
    expect(match({ detail: COUNTS }, withDetail({ "c-count": 0, "d-count": 3, "x-limit": 301.8 }))).toBe(false);
    expect(match({ detail: COUNTS }, withDetail({ "c-count": 5, "d-count": 10, "x-limit": 301.8 }))).toBe(false);
  });

  it.each([
    [[">", 200], 200, false],
    [[">=", 200], 200, true],
    [["<", 200], 199.999, true],
    [["<=", 200], 200.001, false],
    [[">", 200, "<", 500], 500, false],
    [[">=", 200, "<=", 500], 500, true],
    [[">", 100], 101.0, true],
    [[">", 0], 1e300, true],
    [["<", 0], -0.000001, true],
  ])("%j against %s is %s", (range, value, expected) => {
    expect(match({ n: [{ numeric: range }] }, { n: value })).toBe(expected);
  });

  it("only matches JSON numbers", () => {
    expect(match({ n: [{ numeric: [">", 100] }] }, { n: "300" })).toBe(false);
    expect(match({ n: [{ numeric: [">", 100] }] }, { n: null })).toBe(false);
  });
});

describe("exists", () => {
  it("true matches any leaf value, null included, but not an object or an empty array", () => {
    expect(match({ detail: { state: [{ exists: true }] } }, EC2_EVENT)).toBe(true);
    expect(match({ v: [{ exists: true }] }, { v: null })).toBe(true);
    expect(match({ dynamodb: { presentKey: [{ exists: true }] } }, { dynamodb: { presentKey: { S: "x" } } })).toBe(false);
    expect(match({ resources: [{ exists: true }] }, { resources: [] })).toBe(false);
  });

  it("false matches a missing leaf, also when a parent is missing or the node is not a leaf", () => {
    expect(match({ detail: { "c-count": [{ exists: false }] } }, EC2_EVENT)).toBe(true);
    expect(match({ detail: { "c-count": [{ exists: false }] } }, withDetail({ "c-count": { c1: 100 } }))).toBe(true);
    expect(match({ a: { b: { c: [{ exists: false }] } } }, { x: 1 })).toBe(true);
    expect(match({ v: [{ exists: false }] }, { v: null })).toBe(false);
    expect(match({ v: [{ exists: false }] }, { v: [] })).toBe(true);
  });

  it("combines with other values of the same field as alternatives", () => {
    const pattern = { img: { S: [{ "anything-but": ["roses"] }, { exists: false }] } };
    expect(match(pattern, { img: { S: "ABCD" } })).toBe(true);
    expect(match(pattern, { img: { N: "789" } })).toBe(true);
    expect(match(pattern, { other: 1 })).toBe(true);
    expect(match(pattern, { img: { S: "roses" } })).toBe(false);
  });
});

describe("cidr", () => {
  it("matches IPv4 addresses in the block", () => {
    const pattern = { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } };
    expect(match(pattern, withDetail({ sourceIPAddress: "10.0.0.255" }))).toBe(true);
    expect(match(pattern, withDetail({ sourceIPAddress: "10.0.1.0" }))).toBe(false);
    expect(match(pattern, withDetail({ sourceIPAddress: "10.0.0.256" }))).toBe(false);
    expect(match(pattern, withDetail({ sourceIPAddress: 123 }))).toBe(false);
    expect(match({ ip: [{ cidr: "10.0.0.1/8" }] }, { ip: "10.200.3.4" })).toBe(true);
  });

  it("matches IPv6 addresses in the block, in any notation", () => {
    const pattern = { ip: [{ cidr: "2001:db8:1234:1a00::/64" }] };
    expect(match(pattern, { ip: "2001:0db8:1234:1a00:0000:0000:0000:0000" })).toBe(true);
    expect(match(pattern, { ip: "2001:DB8:1234:1A00::FFFF" })).toBe(true);
    expect(match(pattern, { ip: "2001:0db8:123f:1a01:0000:0000:0000:0000" })).toBe(false);
    expect(match(pattern, { ip: "10.0.0.1" })).toBe(false);
  });
});

describe("$or", () => {
  const OR = { detail: { $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }, { "x-limit": [{ numeric: ["=", 3.018e2] }] }] } };

  it("matches when any branch matches (guide example)", () => {
    expect(match(OR, withDetail({ "c-count": 0, "d-count": 0, "x-limit": 901.8 }))).toBe(true);
    expect(match(OR, withDetail({ "c-count": 0, "d-count": 10, "x-limit": 301.8 }))).toBe(true);
    expect(match(OR, withDetail({ "c-count": 0, "d-count": 10, "x-limit": 901.8 }))).toBe(false);
  });

  it("ANDs with the fields around it and nests to any depth", () => {
    const pattern = {
      source: ["aws.cloudwatch"],
      $or: [
        { metricName: ["CPUUtilization", "ReadLatency"] },
        { metricType: ["MetricType"], namespace: ["AWS/EC2", "AWS/ES"], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        { scope: ["Service"] },
      ],
    };
    expect(match(pattern, { source: "aws.cloudwatch", metricName: "ReadLatency" })).toBe(true);
    expect(match(pattern, { source: "aws.cloudwatch", metricType: "MetricType", namespace: "AWS/ES", spaceId: 1000 })).toBe(true);
    expect(match(pattern, { source: "aws.cloudwatch", metricType: "MetricType", namespace: "AWS/ES", spaceId: 1001 })).toBe(false);
    expect(match(pattern, { source: "aws.ec2", scope: "Service" })).toBe(false);
  });

  it("combines with $or in a sibling object (parallel or)", () => {
    const pattern = {
      $or: [{ metricName: ["CPUUtilization"] }, { namespace: ["AWS/EC2"] }],
      detail: { $or: [{ source: ["aws.cloudwatch"] }, { "detail-type": ["CloudWatch Alarm State Change"] }] },
    };
    expect(match(pattern, { namespace: "AWS/EC2", detail: { "detail-type": "CloudWatch Alarm State Change" } })).toBe(true);
    expect(match(pattern, { namespace: "AWS/EC2", detail: { source: "aws.ec2" } })).toBe(false);
  });
});

it("accepts the pattern as JSON text and the event as JSON text, keeping number literals", () => {
  const pattern = '{"detail": {"x": [301.80]}}';
  expect(matchesPattern(pattern, '{"detail": {"x": 3.018e2}}')).toBe(true);
  expect(matchesPattern(pattern, '{"detail": {"x": 301.81}}')).toBe(false);
  // An integer beyond double precision is still matched by its literal text.
  expect(matchesPattern('{"id": [12345678901234567891]}', '{"id": 12345678901234567891}')).toBe(true);
  expect(matchesPattern('{"id": [12345678901234567891]}', '{"id": 12345678901234567892}')).toBe(false);
});
