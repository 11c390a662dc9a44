/** The namespace of every SNS Query-protocol response document. */
export const SNS_NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/";

// XML 1.0 cannot carry most control characters even as references, so they are dropped: a client
// parsing the answer must never fail because a message or attribute contained one.
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function xmlEscape(text: string): string {
  return text.replace(INVALID_XML, "").replace(/[&<>"']/g, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      default:
        return "&apos;";
    }
  });
}

/** `<name>value</name>`, or nothing when the value is absent (SNS omits unset members). */
export function xmlElement(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return "";
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

/** A Query-protocol list: `<name><member>…</member>…</name>`, each member already serialised. */
export function xmlMembers(name: string, members: readonly string[]): string {
  return `<${name}>${members.map((m) => `<member>${m}</member>`).join("")}</${name}>`;
}

/** A Query-protocol map: `<name><entry><key>k</key><value>v</value></entry>…</name>`. */
export function xmlEntries(name: string, map: Readonly<Record<string, string>>): string {
  const entries = Object.entries(map).map(([k, v]) => `<entry>${xmlElement("key", k)}${xmlElement("value", v)}</entry>`);
  return `<${name}>${entries.join("")}</${name}>`;
}

/**
 * `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…</ResponseMetadata></ActionResponse>`;
 * actions without output (DeleteTopic, Unsubscribe, …) have no Result element, as in AWS.
 */
export function queryResponse(action: string, result: string | undefined, requestId: string): string {
  const resultXml = result === undefined ? "" : `<${action}Result>${result}</${action}Result>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${SNS_NAMESPACE}">${resultXml}` +
    `<ResponseMetadata>${xmlElement("RequestId", requestId)}</ResponseMetadata></${action}Response>`
  );
}

/** The Query protocol's error document; `Sender` faults are the client's, `Receiver` faults the service's. */
export function errorDocument(code: string, message: string, status: number, requestId: string): string {
  const type = status >= 500 ? "Receiver" : "Sender";
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${SNS_NAMESPACE}"><Error>` +
    `${xmlElement("Type", type)}${xmlElement("Code", code)}${xmlElement("Message", message)}</Error>` +
    `${xmlElement("RequestId", requestId)}</ErrorResponse>`
  );
}
