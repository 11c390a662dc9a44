import { S3Error } from "./errors.ts";

/** An element of a parsed request document; namespace prefixes are dropped from names. */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  /** Concatenated character data directly inside the element, entities decoded. */
  text: string;
}

/**
 * Parses the small request documents S3 accepts (`<Delete>`, `<CreateBucketConfiguration>`):
 * elements, text, CDATA, comments, processing instructions and entity references. Attributes are
 * read past and ignored. Malformed input is S3's `MalformedXML`.
 */
export function parseXml(source: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let pos = 0;
  while (pos < source.length) {
    const lt = source.indexOf("<", pos);
    const text = source.slice(pos, lt < 0 ? source.length : lt);
    if (text.trim() !== "") {
      const top = stack.at(-1);
      if (!top) throw malformed("text outside the root element");
      top.text += decodeEntities(text);
    } else if (stack.length > 0) {
      stack.at(-1)!.text += text;
    }
    if (lt < 0) break;
    if (source.startsWith("<?", lt)) {
      pos = skipPast(source, "?>", lt);
    } else if (source.startsWith("<!--", lt)) {
      pos = skipPast(source, "-->", lt);
    } else if (source.startsWith("<![CDATA[", lt)) {
      const end = source.indexOf("]]>", lt);
      if (end < 0) throw malformed("unterminated CDATA");
      const top = stack.at(-1);
      if (!top) throw malformed("CDATA outside the root element");
      top.text += source.slice(lt + 9, end);
      pos = end + 3;
    } else if (source.startsWith("<!", lt)) {
      pos = skipPast(source, ">", lt);
    } else if (source.startsWith("</", lt)) {
      const end = source.indexOf(">", lt);
      if (end < 0) throw malformed("unterminated end tag");
      const name = localName(source.slice(lt + 2, end).trim());
      const open = stack.pop();
      if (!open || open.name !== name) throw malformed(`unexpected </${name}>`);
      pos = end + 1;
    } else {
      const end = findTagEnd(source, lt);
      const inner = source.slice(lt + 1, end);
      const selfClosing = inner.endsWith("/");
      const name = localName((selfClosing ? inner.slice(0, -1) : inner).trim().split(/\s/, 1)[0] ?? "");
      if (!/^[A-Za-z_][\w.-]*$/.test(name)) throw malformed(`bad element name "${name}"`);
      const element: XmlElement = { name, children: [], text: "" };
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) throw malformed("more than one root element");
      else root = element;
      if (!selfClosing) stack.push(element);
      pos = end + 1;
    }
  }
  if (!root || stack.length > 0) throw malformed("the document is incomplete");
  return root;
}

export function childText(element: XmlElement, name: string): string | undefined {
  return element.children.find((c) => c.name === name)?.text;
}

function findTagEnd(source: string, start: number): number {
  let quote: string | undefined;
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ">") {
      return i;
    }
  }
  throw malformed("unterminated tag");
}

function skipPast(source: string, terminator: string, from: number): number {
  const end = source.indexOf(terminator, from);
  if (end < 0) throw malformed(`missing "${terminator}"`);
  return end + terminator.length;
}

function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    const named = NAMED[ref];
    if (named === undefined) throw malformed(`unknown entity ${whole}`);
    return named;
  });
}

function malformed(reason: string): S3Error {
  return new S3Error("MalformedXML", { cause: new Error(reason) });
}
