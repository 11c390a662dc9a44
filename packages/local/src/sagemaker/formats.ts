import { PayloadError } from "./errors.ts";

/**
 * The request and response formats of SageMaker's built-in Random Cut Forest (dense records only):
 * `text/csv` one record per line, `application/json` `{"instances":[{"features":[…]}]}` (or
 * the common format's `{"data":{"features":{"values":[…]}}}`), `application/jsonlines` one
 * instance per line; answers `{"scores":[{"score":x}]}` or one `{"score":x}` per line.
 */
export type ResponseType = "application/json" | "application/jsonlines";

/** The media type without parameters (`text/csv; charset=utf-8` → `text/csv`), lower-case. */
function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Parses the body into records of `featureDim` numbers each; rejects what the container would. */
export function parseRecords(body: Buffer, contentType: string | undefined, featureDim: number): number[][] {
  const type = mediaType(contentType) || "application/json";
  const text = body.toString("utf8");
  const records =
    type === "text/csv" ? csvRecords(text)
    : type === "application/json" ? jsonRecords(text)
    : type === "application/jsonlines" || type === "application/x-jsonlines" ? jsonLinesRecords(text)
    : unsupported(type);
  if (records.length === 0) throw new PayloadError("Unable to evaluate payload provided: no records");
  records.forEach((record, i) => {
    if (record.length !== featureDim) {
      throw new PayloadError(`Unable to evaluate payload provided: record ${i} has ${record.length} features, the model expects feature_dim ${featureDim}`);
    }
  });
  return records;
}

/** The response type for `Accept` (SageMaker's default is JSON); `*\/*` and absent mean JSON. */
export function responseType(accept: string | undefined): ResponseType {
  const types = (accept ?? "").split(",").map((t) => mediaType(t));
  for (const type of types) {
    if (type === "application/json" || type === "*/*" || type === "application/*" || type === "") return "application/json";
    if (type === "application/jsonlines" || type === "application/x-jsonlines") return "application/jsonlines";
  }
  throw new PayloadError(`Accept type ${accept} is not supported; use application/json or application/jsonlines`, 415);
}

export function renderScores(scores: readonly number[], type: ResponseType): string {
  if (type === "application/jsonlines") return scores.map((score) => JSON.stringify({ score })).join("\n") + "\n";
  return JSON.stringify({ scores: scores.map((score) => ({ score })) });
}

function unsupported(type: string): never {
  throw new PayloadError(`Content type ${type} is not supported; use text/csv, application/json or application/jsonlines`, 415);
}

function csvRecords(text: string): number[][] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .map((line, i) => line.split(",").map((cell) => number(cell.trim(), `line ${i + 1}`)));
}

function number(cell: string, where: string): number {
  const value = cell === "" ? Number.NaN : Number(cell);
  if (!Number.isFinite(value)) throw new PayloadError(`Unable to evaluate payload provided: '${cell}' on ${where} is not a number`);
  return value;
}

function jsonRecords(text: string): number[][] {
  const parsed = parseJson(text, "the body");
  const instances = isObject(parsed) ? parsed["instances"] : undefined;
  if (!Array.isArray(instances)) throw new PayloadError('Unable to evaluate payload provided: expected {"instances":[{"features":[…]}]}');
  return instances.map((instance, i) => features(instance, `instance ${i}`));
}

function jsonLinesRecords(text: string): number[][] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .map((line, i) => features(parseJson(line, `line ${i + 1}`), `line ${i + 1}`));
}

/** `{"features":[…]}` or the common format's `{"data":{"features":{"values":[…]}}}`. */
function features(instance: unknown, where: string): number[] {
  const dense = isObject(instance) ? instance["features"] : undefined;
  const data = isObject(instance) && isObject(instance["data"]) ? instance["data"]["features"] : undefined;
  const values = Array.isArray(dense) ? dense : isObject(data) ? data["values"] : undefined;
  if (!Array.isArray(values)) throw new PayloadError(`Unable to evaluate payload provided: ${where} has no features`);
  return values.map((v) => (typeof v === "number" && Number.isFinite(v) ? v : number(String(v), where)));
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PayloadError(`Unable to evaluate payload provided: ${where} is not JSON`, 400, { cause: error });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
