import { SqlTranslationError } from "../errors.ts";
import { closingParen, isOp, keyword, literalValue, render, splitArgs, type Token } from "../sql/tokens.ts";

/** A Redshift `COPY … FROM 's3://…'` with the options Freshet's loads use. */
export interface CopyCommand {
  readonly table: string;
  readonly columns?: readonly string[];
  readonly source: string;
  readonly manifest: boolean;
  readonly gzip: boolean;
  /** `JSON 'auto'` matches keys exactly, `JSON 'auto ignorecase'` case-insensitively. */
  readonly ignoreCase: boolean;
  readonly maxError: number;
  readonly truncateColumns: boolean;
}

/** Options accepted and without local effect (credentials, region, time and date formats Freshet keeps at 'auto'). */
const IGNORED_WITH_VALUE = new Set(["IAM_ROLE", "CREDENTIALS", "REGION", "TIMEFORMAT", "DATEFORMAT", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN", "COMPUPDATE", "STATUPDATE"]);
const IGNORED_FLAGS = new Set(["ACCEPTINVCHARS", "BLANKSASNULL", "EMPTYASNULL", "ACCEPTANYDATE", "EXPLICIT_IDS", "ROUNDEC", "TRIMBLANKS"]);

/** Parses the significant tokens of a COPY statement. */
export function parseCopy(tokens: readonly Token[]): CopyCommand {
  let i = 1;
  const nameStart = i;
  // A name is ident ( "." ident )*: stop before the next word (AS, FROM, …).
  if (tokens[i]?.kind === "word" || tokens[i]?.kind === "quoted") i++;
  while (isOp(tokens[i], ".") && (tokens[i + 1]?.kind === "word" || tokens[i + 1]?.kind === "quoted")) i += 2;
  const table = render(tokens.slice(nameStart, i));
  if (!table) throw new SqlTranslationError("COPY needs a table name");
  let columns: string[] | undefined;
  if (isOp(tokens[i], "(")) {
    const close = closingParen(tokens, i);
    columns = splitArgs(tokens, i, close).map((c) => render(c).replaceAll('"', ""));
    i = close + 1;
  }
  if (keyword(tokens[i]) !== "FROM") throw new SqlTranslationError("COPY expects FROM 's3://…'");
  const sourceToken = tokens[i + 1];
  if (!sourceToken || sourceToken.kind !== "string") throw new SqlTranslationError("COPY FROM expects a quoted S3 path");
  const source = literalValue(sourceToken);
  if (!source.startsWith("s3://")) throw new SqlTranslationError(`The local Redshift only loads from s3:// paths, not ${source}`);
  i += 2;
  let manifest = false;
  let gzip = false;
  let json = false;
  let ignoreCase = false;
  let maxError = 0;
  let truncateColumns = false;
  while (i < tokens.length) {
    const word = keyword(tokens[i]);
    if (word === "WITH") {
      i++;
    } else if (word === "MANIFEST") {
      manifest = true;
      i++;
    } else if (word === "GZIP") {
      gzip = true;
      i++;
    } else if (word === "TRUNCATECOLUMNS") {
      truncateColumns = true;
      i++;
    } else if (word === "FORMAT" || word === "JSON") {
      if (word === "FORMAT") i++;
      if (keyword(tokens[i]) === "AS") i++;
      if (keyword(tokens[i]) !== "JSON") throw new SqlTranslationError(`The local Redshift loads FORMAT JSON only, not ${tokens[i]?.text ?? "nothing"}`);
      json = true;
      i++;
      if (tokens[i]?.kind === "string") {
        const mode = literalValue(tokens[i]!).toLowerCase();
        if (mode !== "auto" && mode !== "auto ignorecase") throw new SqlTranslationError(`JSON '${mode}': only 'auto' and 'auto ignorecase' are supported locally`);
        ignoreCase = mode === "auto ignorecase";
        i++;
      }
    } else if (word === "MAXERROR") {
      i++;
      if (keyword(tokens[i]) === "AS") i++;
      maxError = Number(tokens[i]?.text);
      if (!Number.isInteger(maxError) || maxError < 0) throw new SqlTranslationError("MAXERROR expects a non-negative integer");
      i++;
    } else if (IGNORED_WITH_VALUE.has(word)) {
      i += 2;
      if (keyword(tokens[i - 1]) === "AS") i++;
    } else if (IGNORED_FLAGS.has(word)) {
      i++;
    } else {
      throw new SqlTranslationError(`COPY option ${tokens[i]!.text} is not supported by the local Redshift`);
    }
  }
  if (!json) throw new SqlTranslationError("The local Redshift loads FORMAT JSON only");
  return { table, ...(columns ? { columns } : {}), source, manifest, gzip, ignoreCase, maxError, truncateColumns };
}
