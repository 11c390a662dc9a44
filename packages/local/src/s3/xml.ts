const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

/**
 * Escapes text for element content. Control characters, which XML 1.0 cannot carry literally but
 * S3 keys may contain, become character references the way S3 writes them.
 */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      case "'":
        return "&apos;";
      default:
        return `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
    }
  });
}

/** `<name>value</name>`, or nothing when the value is absent (S3 omits empty optional fields). */
export function xmlElement(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return "";
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

/** `<name>…</name>` around already-serialised children. */
export function xmlContainer(name: string, children: string): string {
  return `<${name}>${children}</${name}>`;
}

export function xmlDocument(root: string, children: string, options: { namespace?: boolean } = {}): string {
  const ns = options.namespace === false ? "" : ` xmlns="${S3_NAMESPACE}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${children}</${root}>`;
}
