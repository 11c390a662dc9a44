import type { DuckDBResultReader, DuckDBType } from "@duckdb/node-api";

/** ColumnMetadata as the Data API returns it. */
export interface ColumnMetadata {
  name: string;
  label: string;
  typeName: string;
  columnDefault?: string;
  isCaseSensitive: boolean;
  isCurrency: boolean;
  isSigned: boolean;
  nullable: number;
  length: number;
  precision: number;
  scale: number;
  schemaName: string;
  tableName: string;
}

/** One value of a record: exactly one member set, as in the Data API's `Field` union. */
export type Field =
  | { isNull: true }
  | { booleanValue: boolean }
  | { longValue: number }
  | { doubleValue: number }
  | { stringValue: string }
  | { blobValue: string };

type Kind = "long" | "double" | "boolean" | "string" | "blob";

interface ColumnType {
  readonly typeName: string;
  readonly kind: Kind;
  readonly precision: number;
  readonly scale: number;
  readonly signed: boolean;
}

/** A materialised result: metadata plus JSON-safe rows (DuckDB's JSON conversion of each value). */
export interface ResultSet {
  readonly columns: readonly ColumnMetadata[];
  readonly kinds: readonly Kind[];
  readonly rows: readonly (readonly unknown[])[];
  /** Bytes of the rows as text, the figure DescribeStatement's ResultSize reports. */
  readonly size: number;
}

export function readResultSet(reader: DuckDBResultReader): ResultSet {
  const names = reader.columnNames();
  const types = reader.columnTypes().map(redshiftType);
  const rows = reader.getRowsJson() as unknown[][];
  let size = 0;
  for (const row of rows) for (const value of row) size += value === null ? 0 : typeof value === "string" ? value.length : JSON.stringify(value).length;
  const columns = names.map((name, n): ColumnMetadata => {
    const t = types[n]!;
    return {
      name,
      label: name,
      typeName: t.typeName,
      isCaseSensitive: t.kind === "string",
      isCurrency: false,
      isSigned: t.signed,
      nullable: 1,
      length: 0,
      precision: t.precision,
      scale: t.scale,
      schemaName: "",
      tableName: "",
    };
  });
  return { columns, kinds: types.map((t) => t.kind), rows, size };
}

/** Converts one row to the Data API's typed fields. */
export function toFields(row: readonly unknown[], kinds: readonly Kind[]): Field[] {
  return row.map((value, n): Field => {
    if (value === null || value === undefined) return { isNull: true };
    switch (kinds[n]) {
      case "long":
        return { longValue: Number(value) };
      case "double":
        return { doubleValue: typeof value === "number" ? value : Number(value) };
      case "boolean":
        return { booleanValue: value === true || value === "true" };
      case "blob":
        return { blobValue: Buffer.from(String(value), "latin1").toString("base64") };
      default:
        return { stringValue: typeof value === "string" ? value : JSON.stringify(value) };
    }
  });
}

/** DuckDB's type → the name Redshift reports and the Field member that carries it. */
function redshiftType(type: DuckDBType): ColumnType {
  const text = type.toString();
  if (type.alias === "JSON") return { typeName: "super", kind: "string", precision: 0, scale: 0, signed: false };
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(text);
  if (decimal) return { typeName: "numeric", kind: "string", precision: Number(decimal[1]), scale: Number(decimal[2]), signed: true };
  const simple = SIMPLE_TYPES[text];
  if (simple) return { typeName: simple[0], kind: simple[1], precision: simple[2], scale: 0, signed: simple[1] === "long" || simple[1] === "double" };
  // Lists, structs, maps, intervals…: Redshift would give SUPER or text; the JSON text is the closest.
  return { typeName: text.startsWith("INTERVAL") ? "interval" : "super", kind: "string", precision: 0, scale: 0, signed: false };
}

const SIMPLE_TYPES: Readonly<Record<string, readonly [string, Kind, number]>> = {
  TINYINT: ["int2", "long", 5],
  SMALLINT: ["int2", "long", 5],
  INTEGER: ["int4", "long", 10],
  BIGINT: ["int8", "long", 19],
  UTINYINT: ["int2", "long", 5],
  USMALLINT: ["int4", "long", 10],
  UINTEGER: ["int8", "long", 19],
  UBIGINT: ["numeric", "string", 20],
  HUGEINT: ["numeric", "string", 38],
  UHUGEINT: ["numeric", "string", 38],
  FLOAT: ["float4", "double", 8],
  DOUBLE: ["float8", "double", 17],
  BOOLEAN: ["bool", "boolean", 1],
  VARCHAR: ["varchar", "string", 65535],
  BLOB: ["varbyte", "blob", 0],
  DATE: ["date", "string", 13],
  TIME: ["time", "string", 15],
  "TIME WITH TIME ZONE": ["timetz", "string", 21],
  TIMESTAMP: ["timestamp", "string", 29],
  "TIMESTAMP WITH TIME ZONE": ["timestamptz", "string", 35],
  TIMESTAMP_S: ["timestamp", "string", 29],
  TIMESTAMP_MS: ["timestamp", "string", 29],
  TIMESTAMP_NS: ["timestamp", "string", 29],
  UUID: ["varchar", "string", 36],
};
