import parser from "node-sql-parser";

/*
 * Checks SQL text as Redshift SQL with node-sql-parser's Redshift grammar. That grammar lacks a
 * few Redshift constructs Freshet uses; each is handled here, and only here:
 *
 * 1. COPY: no grammar at all. The statement must match the one form Freshet emits
 *    (COPY <table> FROM '<s3 manifest>' IAM_ROLE '<arn>' MANIFEST FORMAT AS JSON 'auto' GZIP
 *    TIMEFORMAT 'auto' [REGION '<region>']), checked by `COPY_FORM`.
 * 2. CREATE TEMP TABLE <t> (LIKE <source>): neither TEMP nor LIKE. Checked by `LIKE_FORM`. And
 *    CREATE TEMPORARY TABLE <t> AS <select> (Redshift's CREATE TABLE AS reference): the grammar
 *    fails on it, so the form is checked (`CREATE_AS_FORM`) and its SELECT parsed on its own.
 * 3. Table attributes DISTSTYLE / DISTKEY (…) / SORTKEY (…) after a CREATE TABLE's column list:
 *    checked by `TABLE_ATTRIBUTES`, then removed before parsing the rest.
 * 4. The SUPER column type: replaced by VARCHAR(65535) before parsing.
 * 5. Access control (the database-roles migration and the deploy's bootstrap): the grammar knows
 *    GRANT only to users and lacks CREATE ROLE, ALTER DEFAULT PRIVILEGES and GRANT ROLE. CREATE ROLE
 *    and GRANT ROLE are checked by form (`ROLE_FORMS`); a GRANT's `TO ROLE r[, ROLE s]` becomes
 *    `TO r, s` and `ALTER DEFAULT PRIVILEGES [IN SCHEMA s]` is checked by form and removed, so the
 *    privileges and objects of every GRANT still parse.
 * 6. Maintenance (no grammar): VACUUM [FULL | SORT ONLY | DELETE ONLY] t TO n PERCENT, ANALYZE t
 *    PREDICATE COLUMNS, and the system permissions `GRANT VACUUM, ANALYZE TO ROLE r`: by form
 *    (`MAINTENANCE_FORMS`), Redshift's syntax in its VACUUM, ANALYZE and GRANT references.
 * 7. DROP VIEW [IF EXISTS] <view> (a view whose columns change is dropped and created again): no
 *    grammar; checked by `DROP_VIEW_FORM`.
 * 8. LISTAGG(…) WITHIN GROUP (ORDER BY <column>): the grammar lacks WITHIN GROUP; the clause, in
 *    that one form (Redshift's LISTAGG reference), is checked and removed, so the aggregate still parses.
 * 9. Stored procedures (the deploy's bootstrap): no PL/pgSQL grammar. Only `CREATE OR REPLACE
 *    PROCEDURE p() AS $$ BEGIN … END; $$ LANGUAGE plpgsql` (Redshift's CREATE PROCEDURE reference)
 *    whose body is only `IF NOT EXISTS (<select>) THEN EXECUTE '<statement>'; END IF;` blocks,
 *    each select and statement checked here in turn, and `CALL p()` (`PROCEDURE_FORMS`).
 * Everything else (every SELECT, view, INSERT, UPDATE, DELETE, temporary table) parses as written.
 */

const { Parser } = parser;
const sqlParser = new Parser();
const OPTIONS = { database: "Redshift" } as const;

const IDENT = "[a-z_][a-z0-9_]*";
const LITERAL = "'(?:[^'\\\\]|'')*'";
export const COPY_FORM = new RegExp(
  `^COPY (${IDENT})\\s+FROM ('s3://(?:[^'\\\\]|'')+')\\s+IAM_ROLE (${LITERAL})\\s+MANIFEST\\s+FORMAT AS JSON 'auto'\\s+GZIP\\s+TIMEFORMAT 'auto'(?:\\s+REGION '[a-z0-9-]+')?$`,
);
export const LIKE_FORM = new RegExp(`^CREATE TEMP TABLE (${IDENT}) \\(LIKE (${IDENT})\\)$`);
export const CREATE_AS_FORM = new RegExp(`^CREATE TEMPORARY TABLE ${IDENT} AS\\s+(SELECT\\b[\\s\\S]*)$`);
export const DROP_VIEW_FORM = new RegExp(`^DROP VIEW (?:IF EXISTS )?${IDENT}$`);
export const ROLE_FORMS = [new RegExp(`^CREATE ROLE ${IDENT}$`), new RegExp(`^GRANT ROLE (?:sys:)?${IDENT} TO ROLE ${IDENT}$`)];
export const PROCEDURE_FORMS = {
  create: new RegExp(`^CREATE OR REPLACE PROCEDURE (${IDENT})\\(\\)\\s+AS \\$\\$\\s+BEGIN\\s+([\\s\\S]*?)\\s*END;\\s+\\$\\$ LANGUAGE plpgsql$`),
  guardedStep: /^IF NOT EXISTS \((SELECT [^;]+)\) THEN\s+EXECUTE '((?:[^']|'')+)';\s+END IF;\s*/,
  call: new RegExp(`^CALL ${IDENT}\\(\\)$`),
};
const DEFAULT_PRIVILEGES = new RegExp(`^ALTER DEFAULT PRIVILEGES(?: IN SCHEMA ${IDENT})? (?=GRANT )`);
const TO_ROLES = new RegExp(`\\sTO ROLE ${IDENT}((?:, ROLE ${IDENT})*)$`);
const TABLE_ATTRIBUTES = /\)\s*((?:\s*(?:DISTSTYLE (?:KEY|EVEN|ALL|AUTO)|DISTKEY \([a-z_]+\)|(?:COMPOUND )?SORTKEY \([a-z_, ]+\)))+)\s*$/;

export const MAINTENANCE_FORMS = [
  new RegExp(`^VACUUM (?:FULL|SORT ONLY|DELETE ONLY) ${IDENT} TO (?:100|[1-9]?[0-9]) PERCENT$`),
  new RegExp(`^ANALYZE ${IDENT} PREDICATE COLUMNS$`),
  new RegExp(`^GRANT VACUUM, ANALYZE TO ROLE ${IDENT}$`),
  new RegExp(`^GRANT ACCESS SYSTEM TABLE TO ROLE ${IDENT}$`),
];

export type Exception = "copy" | "create_like" | "create_as" | "table_attributes" | "super_type" | "access_control" | "maintenance" | "drop_view" | "within_group" | "procedure";

const WITHIN_GROUP = new RegExp(`\\)\\s+WITHIN GROUP \\(ORDER BY ${IDENT}\\)`, "g");

export interface RedshiftCheck {
  /** The parser's AST type of what was parsed ("copy" and "create_like" are checked by form only). */
  readonly type: string;
  readonly exceptions: readonly Exception[];
}

/** Throws when `sql` is not one Redshift statement Freshet may send. */
export function checkRedshiftSql(sql: string): RedshiftCheck {
  const text = sql.trim();
  if (/^COPY\b/i.test(text)) {
    if (!COPY_FORM.test(text)) throw new Error(`COPY is not in Freshet's form:\n${text}`);
    return { type: "copy", exceptions: ["copy"] };
  }
  if (/^CREATE TEMP TABLE\b/i.test(text)) {
    if (!LIKE_FORM.test(text)) throw new Error(`CREATE TEMP TABLE is only allowed as (LIKE t):\n${text}`);
    return { type: "create_like", exceptions: ["create_like"] };
  }
  const createAs = CREATE_AS_FORM.exec(text);
  if (createAs) {
    const select = checkRedshiftSql(createAs[1]!);
    if (select.type !== "select") throw new Error(`CREATE TEMPORARY TABLE … AS takes a SELECT:\n${text}`);
    return { type: "create_as", exceptions: ["create_as", ...select.exceptions] };
  }
  if (/^DROP VIEW\b/i.test(text)) {
    if (!DROP_VIEW_FORM.test(text)) throw new Error(`DROP VIEW is only allowed as DROP VIEW [IF EXISTS] v:\n${text}`);
    return { type: "drop_view", exceptions: ["drop_view"] };
  }
  if (/^(CREATE OR REPLACE PROCEDURE|CALL)\b/i.test(text)) return checkProcedure(text);
  if (/^(CREATE ROLE|GRANT ROLE)\b/i.test(text)) {
    if (!ROLE_FORMS.some((form) => form.test(text))) throw new Error(`not one of Freshet's role statements:\n${text}`);
    return { type: "role", exceptions: ["access_control"] };
  }
  if (/^(VACUUM|ANALYZE|GRANT VACUUM|GRANT ACCESS SYSTEM TABLE)\b/i.test(text)) {
    if (!MAINTENANCE_FORMS.some((form) => form.test(text))) throw new Error(`not one of Freshet's maintenance statements:\n${text}`);
    return { type: "maintenance", exceptions: ["maintenance"] };
  }
  const exceptions: Exception[] = [];
  let rest = text;
  if (/^ALTER DEFAULT PRIVILEGES\b/i.test(rest)) {
    const prefix = DEFAULT_PRIVILEGES.exec(rest);
    if (!prefix) throw new Error(`ALTER DEFAULT PRIVILEGES is not in Freshet's form:\n${text}`);
    rest = rest.slice(prefix[0].length);
    exceptions.push("access_control");
  }
  if (/^GRANT\b/i.test(rest) && /\sTO ROLE\s/i.test(rest)) {
    const roles = TO_ROLES.exec(rest);
    if (!roles) throw new Error(`a GRANT to roles must end with TO ROLE r[, ROLE s]:\n${text}`);
    rest = `${rest.slice(0, roles.index)} TO ${roles[0].slice(" TO ROLE ".length).replace(/, ROLE /g, ", ")}`;
    if (!exceptions.includes("access_control")) exceptions.push("access_control");
  }
  const attributes = TABLE_ATTRIBUTES.exec(rest);
  if (attributes && /^CREATE TABLE\b/.test(rest)) {
    rest = rest.slice(0, attributes.index + 1);
    exceptions.push("table_attributes");
  }
  if (/\bSUPER\b/.test(rest)) {
    rest = rest.replace(/(\w+) SUPER\b/g, "$1 VARCHAR(65535)");
    exceptions.push("super_type");
  }
  if (/\bWITHIN GROUP\b/i.test(rest)) {
    const stripped = rest.replace(WITHIN_GROUP, ")");
    if (/\bWITHIN GROUP\b/i.test(stripped)) throw new Error(`WITHIN GROUP is only allowed as LISTAGG(…) WITHIN GROUP (ORDER BY c):\n${text}`);
    rest = stripped;
    exceptions.push("within_group");
  }
  const ast = sqlParser.astify(rest, OPTIONS);
  const list = Array.isArray(ast) ? ast : [ast];
  if (list.length !== 1) throw new Error(`expected one statement, parsed ${list.length}:\n${text}`);
  return { type: String((list[0] as { type?: unknown }).type), exceptions };
}

/** The steps of a procedure in Freshet's one form: a lookup and the statement it guards. */
export function procedureSteps(sql: string): { readonly unless: string; readonly run: string }[] {
  const created = PROCEDURE_FORMS.create.exec(sql.trim());
  if (!created) throw new Error(`CREATE PROCEDURE is not in Freshet's form:\n${sql}`);
  const steps: { unless: string; run: string }[] = [];
  let body = created[2] ?? "";
  while (body.length > 0) {
    const step = PROCEDURE_FORMS.guardedStep.exec(body);
    if (!step) throw new Error(`a procedure step must be IF NOT EXISTS (<select>) THEN EXECUTE '<statement>'; END IF;:\n${body}`);
    steps.push({ unless: step[1] ?? "", run: (step[2] ?? "").replaceAll("''", "'") });
    body = body.slice(step[0].length);
  }
  if (steps.length === 0) throw new Error(`a procedure with no steps:\n${sql}`);
  return steps;
}

function checkProcedure(text: string): RedshiftCheck {
  if (/^CALL\b/i.test(text)) {
    if (!PROCEDURE_FORMS.call.test(text)) throw new Error(`CALL is only allowed as CALL p():\n${text}`);
    return { type: "call", exceptions: ["procedure"] };
  }
  for (const step of procedureSteps(text)) {
    if (checkRedshiftSql(step.unless).type !== "select") throw new Error(`a procedure step's lookup must be a SELECT:\n${step.unless}`);
    checkRedshiftSql(step.run);
  }
  return { type: "procedure", exceptions: ["procedure"] };
}
