import { describe, expect, it } from "vitest";
import { InvalidEventPatternError, validatePattern } from "../src/index.ts";

/** The error `validatePattern` throws for `pattern` (fails the test if it does not throw). */
function invalid(pattern: string): InvalidEventPatternError {
  try {
    validatePattern(pattern);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    return error as InvalidEventPatternError;
  }
  throw new Error(`expected ${pattern} to be refused`);
}

const at = (pattern: string, column: number, line = 1) => `\n at [Source: (String)"${pattern}"; line: ${line}, column: ${column}]`;

// Reasons and positions as AWS's InvalidEventPatternException reports them (TestEventPattern/PutRule).
describe("invalid patterns are refused with AWS's reason and position", () => {
  it.each([
    ['{"int": 42}', '"int" must be an object or an array', 11],
    ['{"string": "my-value"}', '"string" must be an object or an array', 13],
    ['{"resources": []}', "Empty arrays are not allowed", 17],
    ['{"source": ["aws.health"], "detail": {}}', "Empty objects are not allowed", 40],
    ['{"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}', "Unrecognized match type NUMERIC", 36],
    ['{"my_key": [{"EXISTS": true}]}', "Unrecognized match type EXISTS", 28],
    ['{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}', "Bad numeric range operator: >", 49],
    ['{"detail": {"c-count": [{"numeric": [">", 0, "<"]}]}}', "Value of < must be numeric", 50],
    ['{"detail": {"c-count": [{"numeric": 10}]}}', "Value of numeric must be an array.", 39],
    ['{"time": [{"prefix": 123}]}', "prefix match pattern must be a string", 25],
    ['{"time": [{"prefix": ["2022-07-13"]}]}', "prefix match pattern must be a string", 23],
    ['{"FileName": [{"suffix": [".png"]}]}', "suffix match pattern must be a string", 27],
    ['{"detail-type": [{"equals-ignore-case": ["ec2"]}]}', "equals-ignore-case match pattern must be a string", 42],
    ['{"EventBusArn": [{"wildcard": 123}]}', "wildcard match pattern must be a string", 34],
    ['{"detail": {"state": [{"anything-but": null}]}}', "Value of anything-but must be an array or single string/number value.", 44],
    ['{"detail": {"FileName": [{"anything-but": {"prefix": ""}}]}}', "Null prefix/suffix not allowed", 56],
    ['{"detail": {"FileName": [{"anything-but": {"suffix": {"equals-ignore-case": ".png"}}}]}}', "Value of anything-but must be an array or single string/number value.", 55],
    ['{"detail": {"state": [{"anything-but": {"equals-ignore-case": 123}}]}}', "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.", 66],
    ['{"detail": {"state": [{"anything-but": {"prefix": 123}}]}}', "prefix/suffix match pattern must be a string", 54],
    ['{"detail": {"sourceIPAddress": [{"cidr": ["bad-type"]}]}}', "prefix match pattern must be a string", 43],
    ['["not", "a", "dict"]', "Filter is not an object", 2],
    ["{'bad': 'quotation'}", "Unexpected character (''' (code 39)): was expecting double-quote to start field name", 2],
    ["this is not json", "Unrecognized token 'this': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", 5],
    ['{"not": closed mark"', "Unrecognized token 'closed': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", 15],
    ['{"a": [1 2]}', "Unexpected character ('2' (code 50)): was expecting comma to separate Array entries", 10],
  ])("%s", (pattern, reason, column) => {
    const error = invalid(pattern);
    expect(error.reason).toBe(`${reason}${at(pattern, column)}`);
    expect(error.message).toBe(`Event pattern is not valid. Reason: ${reason}${at(pattern, column)}`);
  });

  it("repeats the position for errors inside an anything-but list, as AWS does", () => {
    const pattern = '{"detail": {"state": [{"anything-but": ["stopped", null]}]}}';
    expect(invalid(pattern).reason).toBe(`Inside anything but list, start|null|boolean is not supported.${at(pattern, 56)}${at(pattern, 56)}`);
    const mixed = '{"a": [{"anything-but": ["x", 1]}]}';
    expect(invalid(mixed).reason).toContain("either all values are number or string, mixed type is not supported");
  });

  it.each([
    ['{"ip": [{"cidr": "bad-filter"}]}', "Malformed CIDR, one '/' required"],
    ['{"ip": [{"cidr": "bad-/64filter"}]}', "Malformed CIDR, mask bits must be an integer"],
    ['{"ip": [{"cidr": "xx.11.xx/8"}]}', "Nonstandard IP address: xx.11.xx"],
    ['{"ip": [{"cidr": "xxxx:db8:1234:1a00::/64"}]}', "Nonstandard IP address: xxxx:db8:1234:1a00::"],
    ['{"ip": [{"cidr": "10.0.0.0/32"}]}', "IPv4 mask bits must be < 32"],
    ['{"ip": [{"cidr": "10.0.0.256/8"}]}', "Invalid IP address: 10.0.0.256"],
  ])("cidr %s: %s (no position)", (pattern, reason) => {
    expect(invalid(pattern).reason).toBe(reason);
  });

  it("refuses bad numeric ranges", () => {
    expect(invalid('{"n": [{"numeric": [">=", 5, "<=", 5]}]}').reason).toMatch(/^Bottom must be less than top\n at /);
    expect(invalid('{"n": [{"numeric": [">", 5, "<", 1]}]}').reason).toMatch(/^Bottom must be less than top/);
    expect(invalid('{"n": [{"numeric": ["<", 1, ">", 0]}]}').reason).toMatch(/^Too many elements in numeric expression/);
    expect(invalid('{"n": [{"numeric": ["==", 1]}]}').reason).toMatch(/^Unrecognized numeric range operator: ==/);
    expect(invalid('{"n": [{"numeric": [">", "1"]}]}').reason).toMatch(/^Value of > must be numeric/);
    expect(invalid('{"n": [{"numeric": ["=", 1e999]}]}').reason).toMatch(/^Cannot compare number : 1e999/);
  });

  it("refuses bad exists, unknown operators and extra keys", () => {
    expect(invalid('{"a": [{"exists": "yes"}]}').reason).toMatch(/^exists match pattern must be either true or false\./);
    expect(invalid('{"a": [{"contains": "x"}]}').reason).toMatch(/^Unrecognized match type contains/);
    expect(invalid('{"a": [{"prefix": "x", "suffix": "y"}]}').reason).toMatch(/^Only one key allowed in match expression/);
    expect(invalid('{"a": [{}]}').reason).toMatch(/^Match expression name not found/);
    expect(invalid('{"a": [["x"]]}').reason).toMatch(/^Match value must be String, number, true, false, or null/);
    expect(invalid('{"a": [{"anything-but": {"contains": "x"}}]}').reason).toMatch(/^Unsupported anything-but pattern: contains/);
  });

  it("refuses malformed wildcards", () => {
    const pattern = '{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]}';
    expect(invalid(pattern).reason).toBe(`Consecutive wildcard characters at pos 26${at(pattern, 72)}`);
    expect(invalid('{"a": [{"wildcard": "a\\\\b"}]}').reason).toMatch(/^Invalid escape character at pos 2\n/);
  });

  it("refuses wildcards too complex to match efficiently", () => {
    expect(invalid('{"a": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}').reason).toBe(
      "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character",
    );
    expect(() => validatePattern('{"a": [{"wildcard": "*:*:*:*:event-bus/*"}]}')).not.toThrow();
    expect(() => validatePattern('{"a": [{"wildcard": "/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}')).not.toThrow();
    expect(() => validatePattern('{"a": [{"wildcard": "*a*a*a*a*a"}]}')).not.toThrow();
    expect(() => validatePattern('{"a": [{"wildcard": "*a*a*a*a*a*a"}]}')).toThrow(/Rule is too complex/);
  });

  it("refuses $or with fewer than two objects, non-objects, or operator names inside", () => {
    expect(invalid('{"$or": [{"a": [1]}]}').reason).toMatch(/^There must have at least 2 Objects in \$or relationship\./);
    expect(invalid('{"$or": {"a": [1]}}').reason).toMatch(/^It must be an Array followed with \$or\./);
    expect(invalid('{"$or": [{"a": [1]}, "b"]}').reason).toMatch(/^Only JSON object is allowed in array of \$or relationship\./);
    expect(invalid('{"$or": [{"numeric": [1]}, {"b": [2]}]}').reason).toMatch(/^numeric is Ruler reserved fieldName which cannot be used inside \$or\./);
  });

  it("bounds the number of $or combinations", () => {
    const or = '{"$or": [{"a": [1]}, {"b": [2]}]}';
    const nested = `{"x": ${or}, "y": ${or}}`.repeat(1);
    expect(() => validatePattern(nested)).not.toThrow();
    const many = `{${Array.from({ length: 11 }, (_, i) => `"f${i}": ${or}`).join(", ")}}`;
    expect(invalid(many).reason).toMatch(/Too many \$or combinations/);
  });

  it("reports the line of a multi-line pattern and keeps only the first 500 characters of the source", () => {
    const multiLine = '{\n  "a": ["x"],\n  "b": [tru]\n}';
    expect(invalid(multiLine).reason).toMatch(/line: 3, column: 12\]$/);
    const long = `{"a": ["${"x".repeat(600)}"], "b": 1}`;
    expect(invalid(long).reason).toContain(`[truncated ${long.length - 500} chars]; line: 1, column: ${long.length}]`);
  });

  it("accepts every operator of the EventBridge guide", () => {
    const pattern = {
      time: [{ prefix: "2017-10-02" }],
      detail: {
        state: [{ "anything-but": "initializing" }],
        "c-count": [{ numeric: [">", 0, "<=", 5] }],
        "x-limit": [{ "anything-but": [100, 200, 300] }],
        "source-ip": [{ cidr: "10.0.0.0/8" }],
        file: [{ suffix: { "equals-ignore-case": ".png" } }, { wildcard: "*/lib/*" }],
        name: [{ "equals-ignore-case": "alice" }, { exists: false }],
        other: [{ "anything-but": { wildcard: ["*/a/*", "*/b/*"] } }],
      },
      $or: [{ a: [null] }, { b: [true, 1, "x"] }],
    };
    expect(() => validatePattern(JSON.stringify(pattern))).not.toThrow();
  });
});
