/** Posts NDJSON lines to the ingest route; returns how many the route accepted. */
export async function sendEvents(ingestUrl: string, apiKey: string, lines: readonly string[]): Promise<number> {
  const response = await fetch(ingestUrl, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", "x-api-key": apiKey },
    body: `${lines.join("\n")}\n`,
  });
  const body = (await response.json()) as { accepted?: number; message?: string };
  if (response.status !== 202) throw new Error(`ingest answered ${response.status}: ${body.message ?? "no message"}`);
  return body.accepted ?? 0;
}
