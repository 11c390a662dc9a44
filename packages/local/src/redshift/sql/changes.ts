import { isOp, keyword, type Token } from "./tokens.ts";
import { readName, tableKey } from "./maintenance.ts";

/**
 * What a statement does to a table's rows, for SVV_TABLE_INFO's health numbers: `rows` rows
 * inserted (INSERT, COPY, MERGE), updated (Redshift deletes the old version and appends a new
 * one) or deleted; TRUNCATE empties the table and reclaims its space at once.
 */
export type ChangeKind = "insert" | "update" | "delete" | "merge" | "truncate";

export interface TableChange {
  /** The table's key (see `tableKey`). */
  readonly table: string;
  readonly kind: ChangeKind;
}

/** The table a DML statement changes (after a leading WITH, at the top level), or undefined. */
export function changedTable(tokens: readonly Token[]): TableChange | undefined {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isOp(t, "(")) depth++;
    else if (isOp(t, ")")) depth--;
    if (depth !== 0 || t.kind !== "word") continue;
    const word = keyword(t);
    switch (word) {
      case "INSERT":
      case "MERGE":
        return keyword(tokens[i + 1]) === "INTO" ? target(tokens, i + 2, word === "INSERT" ? "insert" : "merge") : undefined;
      case "UPDATE":
        return target(tokens, i + 1, "update");
      case "DELETE":
        return target(tokens, keyword(tokens[i + 1]) === "FROM" ? i + 2 : i + 1, "delete");
      case "TRUNCATE":
        return target(tokens, keyword(tokens[i + 1]) === "TABLE" ? i + 2 : i + 1, "truncate");
      case "WITH":
        if (i === 0) continue;
        return undefined;
      default:
        // Past a leading WITH's CTE names and AS, the first other statement word decides.
        if (i === 0 || ["SELECT", "VALUES", "TABLE"].includes(word)) return undefined;
    }
  }
  return undefined;
}

function target(tokens: readonly Token[], at: number, kind: ChangeKind): TableChange | undefined {
  if (tokens[at]?.kind !== "word" && tokens[at]?.kind !== "quoted") return undefined;
  const table = tableKey(readName(tokens, at).text);
  return table === undefined ? undefined : { table, kind };
}
