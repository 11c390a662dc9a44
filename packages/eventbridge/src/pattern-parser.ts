import { PatternSyntaxError } from "./errors.ts";
import { charDesc, escapeControls, isDigit, isIdentifierChar } from "./json-chars.ts";

/**
 * A streaming JSON reader that behaves like the Jackson parser EventBridge reads patterns with:
 * same tokens, same input position after each token (a field name also consumes the start of its
 * value; a string is only read to its end when its text is asked for), same error texts. AWS's
 * `InvalidEventPatternException` messages carry that position (`line: 1, column: 11`), so this is
 * what lets the local service answer exactly as AWS does.
 */
export type Token =
  | "START_OBJECT"
  | "END_OBJECT"
  | "START_ARRAY"
  | "END_ARRAY"
  | "FIELD_NAME"
  | "VALUE_STRING"
  | "VALUE_NUMBER_INT"
  | "VALUE_NUMBER_FLOAT"
  | "VALUE_TRUE"
  | "VALUE_FALSE"
  | "VALUE_NULL";

interface Context {
  readonly kind: "root" | "Object" | "Array";
  readonly line: number;
  readonly column: number;
  entries: number;
}

const EXPECTED_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
// Jackson shows at most this much of the source in a location (ErrorReportConfiguration default).
const MAX_SOURCE_SHOWN = 500;

export function isNumericToken(token: Token | null): boolean {
  return token === "VALUE_NUMBER_INT" || token === "VALUE_NUMBER_FLOAT";
}

export class PatternParser {
  readonly #src: string;
  #pos = 0;
  #line = 1;
  #lineStart = 0;
  #contexts: Context[] = [{ kind: "root", line: 1, column: 0, entries: 0 }];
  #pending: Token | null = null;
  #stringIncomplete = false;
  #text = "";
  #name = "";
  current: Token | null = null;

  constructor(source: string) {
    this.#src = source;
  }

  /** `[Source: (String)"…"; line: L, column: C]`, Jackson's rendering of the current position. */
  location(line = this.#line, column = this.#pos - this.#lineStart + 1): string {
    const src = this.#src;
    const shown =
      src.length > MAX_SOURCE_SHOWN
        ? `"${escapeControls(src.slice(0, MAX_SOURCE_SHOWN))}"[truncated ${src.length - MAX_SOURCE_SHOWN} chars]`
        : `"${escapeControls(src)}"`;
    return `[Source: (String)${shown}; line: ${line}, column: ${column}]`;
  }

  /**
   * Throws `message` located at the current position, as Jackson's `JsonParseException` reads;
   * `cause` is the error found outside the parser that this one locates, if any.
   */
  fail(message: string, options?: { cause?: unknown }): never {
    throw new PatternSyntaxError(`${message}\n at ${this.location()}`, options);
  }

  /** Jackson reports an unexpected character at its own column, then stands past it. */
  #failAtChar(message: string): never {
    const location = this.location();
    this.#pos++;
    throw new PatternSyntaxError(`${message}\n at ${location}`);
  }

  /** The name of the current FIELD_NAME token. */
  get currentName(): string {
    return this.#name;
  }

  /** The current token's text; reading a string's text consumes it up to its closing quote. */
  get text(): string {
    if (this.current === "VALUE_STRING" && this.#stringIncomplete) {
      this.#stringIncomplete = false;
      this.#text = this.#readString();
    }
    switch (this.current) {
      case "FIELD_NAME":
        return this.#name;
      case "START_OBJECT":
        return "{";
      case "END_OBJECT":
        return "}";
      case "START_ARRAY":
        return "[";
      case "END_ARRAY":
        return "]";
      case null:
        return "";
      default:
        return this.#text;
    }
  }

  nextToken(): Token | null {
    if (this.current === "FIELD_NAME") {
      const value = this.#pending as Token;
      this.#pending = null;
      this.#open(value, this.#pendingLine, this.#pendingColumn);
      return (this.current = value);
    }
    if (this.#stringIncomplete) {
      this.#stringIncomplete = false;
      this.#text = this.#readString();
    }
    let c = this.#skipSpace();
    const ctx = this.#contexts[this.#contexts.length - 1]!;
    if (c === undefined) {
      if (ctx.kind === "root") return (this.current = null);
      this.#endOfInput(ctx);
    }
    if (c === "]" || c === "}") return (this.current = this.#close(c, ctx));
    if (ctx.entries > 0) {
      if (c !== ",") this.#failAtChar(`Unexpected character (${charDesc(c)}): was expecting comma to separate ${ctx.kind} entries`);
      this.#pos++;
      c = this.#skipSpace();
      if (c === undefined) this.#endBetweenEntries(ctx);
    }
    ctx.entries++;
    if (ctx.kind !== "Object") {
      const line = this.#line;
      const column = this.#pos - this.#lineStart + 1;
      const token = this.#valueStart(c);
      this.#open(token, line, column);
      return (this.current = token);
    }
    if (c !== '"') this.#failAtChar(`Unexpected character (${charDesc(c)}): was expecting double-quote to start field name`);
    this.#pos++;
    this.#name = this.#readString("Unexpected end-of-input in field name");
    c = this.#skipSpace();
    if (c !== ":") {
      if (c === undefined) this.#endBetweenEntries(ctx);
      this.#failAtChar(`Unexpected character (${charDesc(c)}): was expecting a colon to separate field name and value`);
    }
    this.#pos++;
    c = this.#skipSpace();
    if (c === undefined) this.#endBetweenEntries(ctx);
    this.#pendingLine = this.#line;
    this.#pendingColumn = this.#pos - this.#lineStart + 1;
    this.#pending = this.#valueStart(c);
    return (this.current = "FIELD_NAME");
  }

  #pendingLine = 1;
  #pendingColumn = 1;

  #open(token: Token, line: number, column: number): void {
    if (token === "START_OBJECT") this.#contexts.push({ kind: "Object", line, column, entries: 0 });
    else if (token === "START_ARRAY") this.#contexts.push({ kind: "Array", line, column, entries: 0 });
  }

  #close(c: "]" | "}", ctx: Context): Token {
    if (ctx.kind === "root" || c !== (ctx.kind === "Object" ? "}" : "]")) {
      this.#failAtChar(
        `Unexpected close marker '${c}': expected '${c === "]" ? "}" : "]"}' (for ${ctx.kind} starting at ${this.location(ctx.line, ctx.column)})`,
      );
    }
    this.#pos++;
    this.#contexts.pop();
    return c === "]" ? "END_ARRAY" : "END_OBJECT";
  }

  /** End of input after a comma, a field name or its colon. */
  #endBetweenEntries(ctx: Context): never {
    this.fail(`Unexpected end-of-input within/between ${ctx.kind} entries`);
  }

  #endOfInput(ctx: Context): never {
    this.fail(
      `Unexpected end-of-input: expected close marker for ${ctx.kind} (start marker at ${this.location(ctx.line, ctx.column)})`,
    );
  }

  /** Reads what starts a value: brackets and literals whole, numbers whole, strings only their quote. */
  #valueStart(c: string | undefined): Token {
    switch (c) {
      case '"':
        this.#pos++;
        this.#stringIncomplete = true;
        return "VALUE_STRING";
      case "[":
        this.#pos++;
        return "START_ARRAY";
      case "{":
        this.#pos++;
        return "START_OBJECT";
      case "t":
        this.#literal("true");
        return "VALUE_TRUE";
      case "f":
        this.#literal("false");
        return "VALUE_FALSE";
      case "n":
        this.#literal("null");
        return "VALUE_NULL";
      case undefined:
        return this.#endOfInput(this.#contexts[this.#contexts.length - 1]!);
      case "}":
        return this.#failAtChar("Unexpected character ('}' (code 125)): expected a value");
      default:
        if (c === "-" || c === "+" || (c >= "0" && c <= "9")) return this.#number();
        if (c === "N" || c === "I") this.#nonNumeric(c === "N" ? "NaN" : "Infinity", "");
        if (isIdentifierChar(c)) this.#invalidToken("");
        return this.#failAtChar(`Unexpected character (${charDesc(c)}): expected a valid value ${EXPECTED_VALUE}`);
    }
  }

  #literal(word: string): void {
    const src = this.#src;
    for (let i = 0; i < word.length; i++) {
      if (src[this.#pos] !== word[i]) this.#invalidToken(word.slice(0, i));
      this.#pos++;
    }
    const next = src[this.#pos];
    if (next !== undefined && isIdentifierChar(next)) this.#invalidToken(word);
    this.#text = word;
  }

  /** Jackson's "Unrecognized token": the word read so far plus the identifier characters after it. */
  #invalidToken(matched: string): never {
    let token = matched;
    while (this.#pos < this.#src.length && token.length < 256 && isIdentifierChar(this.#src[this.#pos]!)) {
      token += this.#src[this.#pos++];
    }
    this.fail(`Unrecognized token '${token}': was expecting ${EXPECTED_VALUE}`);
  }

  /** NaN and the infinities are refused by name once read whole (anything else is an unknown token). */
  #nonNumeric(word: string, sign: string): void {
    if (!this.#src.startsWith(word, this.#pos)) return;
    const after = this.#src[this.#pos + word.length];
    if (after !== undefined && isIdentifierChar(after)) return;
    this.#pos += word.length;
    this.fail(`Non-standard token '${sign}${word}': enable \`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS\` to allow`);
  }

  /** A JSON number; errors stand where Jackson's number reader reports them. */
  #number(): Token {
    const src = this.#src;
    const start = this.#pos;
    let float = false;
    const sign = src[this.#pos];
    if (sign === "-" || sign === "+") {
      this.#pos++;
      if (src[this.#pos] === "I") this.#nonNumeric("Infinity", sign);
      if (sign === "+") {
        this.#failAtChar(
          `Unexpected character ('+' (code 43)) in numeric value: JSON spec does not allow numbers to have plus signs: enable \`JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS\` to allow`,
        );
      }
      const d = src[this.#pos];
      if (d === undefined) this.fail("Unexpected end-of-input in numeric value");
      if (!isDigit(d)) {
        this.#failAtChar(
          `Unexpected character (${charDesc(d)}) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value`,
        );
      }
    }
    if (src[this.#pos] === "0" && isDigit(src[this.#pos + 1])) {
      this.#pos++;
      this.fail("Invalid numeric value: Leading zeroes not allowed");
    }
    while (isDigit(src[this.#pos])) this.#pos++;
    const integerEnd = this.#pos;
    if (src[this.#pos] === ".") {
      float = true;
      if (!isDigit(src[this.#pos + 1])) this.#badNumberChar("Decimal point not followed by a digit", this.#pos + 1, integerEnd);
      this.#pos++;
      while (isDigit(src[this.#pos])) this.#pos++;
    }
    if (src[this.#pos] === "e" || src[this.#pos] === "E") {
      float = true;
      let digit = this.#pos + 1;
      if (src[digit] === "+" || src[digit] === "-") digit++;
      if (!isDigit(src[digit])) this.#badNumberChar("Exponent indicator not followed by a digit", digit, integerEnd);
      this.#pos = digit;
      while (isDigit(src[this.#pos])) this.#pos++;
    }
    this.#text = src.slice(start, this.#pos);
    // At the root, Jackson checks (and so consumes) the one character that ends the number.
    if (this.#contexts.length === 1) {
      const end = src[this.#pos];
      if (end === " " || end === "\t") this.#pos++;
      else if (end === "\n" || end === "\r") {
        this.#pos++;
        if (end === "\r" && src[this.#pos] === "\n") this.#pos++;
        this.#newLine();
      } else if (end !== undefined) {
        this.#failAtChar(`Unexpected character (${charDesc(end)}): Expected space separating root-level values`);
      }
    }
    return float ? "VALUE_NUMBER_FLOAT" : "VALUE_NUMBER_INT";
  }

  /**
   * A bad character after `.` or `e`. Jackson reports it where the integer digits end, its reader
   * then standing one character further.
   */
  #badNumberChar(problem: string, at: number, integerEnd: number): never {
    const c = this.#src[at];
    if (c === undefined) this.fail(`Unexpected end-of-input in numeric value: ${problem}`);
    this.#pos = integerEnd;
    const location = this.location();
    this.#pos++;
    throw new PatternSyntaxError(`Unexpected character (${charDesc(c)}) in numeric value: ${problem}\n at ${location}`);
  }

  /** Reads a string whose opening quote is consumed, leaving the position after its closing quote. */
  #readString(endOfInput = "Unexpected end-of-input: was expecting closing quote for a string value"): string {
    const src = this.#src;
    let out = "";
    let runStart = this.#pos;
    for (;;) {
      const c = src[this.#pos];
      if (c === undefined) this.fail(endOfInput);
      if (c === '"') {
        out += src.slice(runStart, this.#pos);
        this.#pos++;
        return out;
      }
      if (c === "\\") {
        out += src.slice(runStart, this.#pos);
        this.#pos++;
        out += this.#escape();
        runStart = this.#pos;
        continue;
      }
      if (c < " ") {
        this.#failAtChar(
          `Illegal unquoted character (${charDesc(c)}): has to be escaped using backslash to be included in string value`,
        );
      }
      this.#pos++;
    }
  }

  #escape(): string {
    const c = this.#src[this.#pos];
    if (c !== undefined && c !== "u") this.#pos++;
    switch (c) {
      case '"':
      case "\\":
      case "/":
        return c;
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "t":
        return "\t";
      case "u": {
        this.#pos++;
        let code = 0;
        for (let i = 0; i < 4; i++) {
          const h = this.#src[this.#pos];
          if (h === undefined) this.fail("Unexpected end-of-input in character escape sequence");
          const v = /^[0-9a-fA-F]$/.test(h) ? parseInt(h, 16) : Number.NaN;
          if (Number.isNaN(v)) this.#failAtChar(`Unexpected character (${charDesc(h)}): expected a hex-digit for character escape sequence`);
          this.#pos++;
          code = code * 16 + v;
        }
        return String.fromCharCode(code);
      }
      case undefined:
        return this.fail("Unexpected end-of-input in character escape sequence");
      default:
        this.#pos--;
        return this.#failAtChar(`Unrecognized character escape ${charDesc(c)}`);
    }
  }

  #skipSpace(): string | undefined {
    const src = this.#src;
    for (;;) {
      const c = src[this.#pos];
      if (c === undefined) return undefined;
      if (c === " " || c === "\t") {
        this.#pos++;
      } else if (c === "\n") {
        this.#pos++;
        this.#newLine();
      } else if (c === "\r") {
        this.#pos++;
        if (src[this.#pos] === "\n") this.#pos++;
        this.#newLine();
      } else if (c === "/") {
        this.#failAtChar(
          "Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)",
        );
      } else if (c < " ") {
        this.#pos++;
        this.fail(`Illegal character (${charDesc(c)}): only regular white space (\\r, \\n, \\t) is allowed between tokens`);
      } else {
        return c;
      }
    }
  }

  #newLine(): void {
    this.#line++;
    this.#lineStart = this.#pos;
  }
}
