import { randomUUID } from "node:crypto";
import type { ResultStore } from "./statements/result-store.ts";
import { toFields } from "./engine/results.ts";
import { notFound, RedshiftDataApiError, validation } from "./errors.ts";
import { TERMINAL, type StatementProgress, type StatementRecord, type StatementRecords, type StatementStatus } from "./statements/records.ts";
import type { StatementRunner } from "./statements/runner.ts";

export type JsonObject = Record<string, unknown>;

export interface OperationContext {
  readonly records: StatementRecords;
  readonly runner: StatementRunner;
  readonly results: ResultStore;
  readonly maxActiveStatements: number;
  readonly pageRows: number;
}

const STATUSES = new Set(["SUBMITTED", "PICKED", "STARTED", "FINISHED", "FAILED", "ABORTED", "ALL"]);
const PARAMETER_NAME = /^[0-9a-zA-Z_]+$/;

export function executeStatement(ctx: OperationContext, input: JsonObject): object {
  const sql = requiredString(input, "Sql");
  const parameters = readParameters(input.Parameters);
  const record = submit(ctx, input, { isBatch: false, queryString: sql, ...(parameters.length ? { queryParameters: parameters } : {}) });
  ctx.runner.start(record, Object.fromEntries(parameters.map((p) => [p.name, p.value])), optionalKeepAlive(input));
  return submitted(record);
}

export function batchExecuteStatement(ctx: OperationContext, input: JsonObject): object {
  const sqls = input.Sqls;
  if (!Array.isArray(sqls) || sqls.length === 0 || sqls.length > 40 || !sqls.every((s) => typeof s === "string" && s.length > 0)) {
    throw validation("Sqls must hold 1 to 40 non-empty SQL statements");
  }
  const record = submit(ctx, input, { isBatch: true, queryStrings: sqls as string[] });
  ctx.runner.start(record, {}, optionalKeepAlive(input));
  return submitted(record);
}

export function describeStatement(ctx: OperationContext, input: JsonObject): object {
  const record = find(ctx, requiredString(input, "Id").split(":")[0]!);
  return {
    Id: record.id,
    ...progress(record),
    QueryString: record.queryString ?? "",
    ...(record.queryParameters ? { QueryParameters: record.queryParameters } : {}),
    Database: record.database,
    DbUser: record.dbUser ?? "IAMR:local",
    ...(record.workgroupName ? { WorkgroupName: record.workgroupName } : {}),
    ...(record.clusterIdentifier ? { ClusterIdentifier: record.clusterIdentifier } : {}),
    ...(record.secretArn ? { SecretArn: record.secretArn } : {}),
    ...(record.sessionId ? { SessionId: record.sessionId } : {}),
    RedshiftPid: record.redshiftPid,
    IsBatchStatement: record.isBatch,
    ...(record.subStatements
      ? { SubStatements: record.subStatements.map((s) => ({ Id: s.id, QueryString: s.queryString, ...progress(s) })) }
      : {}),
  };
}

export function getStatementResult(ctx: OperationContext, input: JsonObject): object {
  const id = requiredString(input, "Id");
  const [parentId, sub] = id.split(":");
  const record = find(ctx, parentId!);
  let target: StatementProgress = record;
  if (record.isBatch) {
    const found = sub === undefined ? undefined : record.subStatements!.find((s) => s.id === id);
    if (!found) throw validation(`${id} is a batch statement; request the result of one of its sub-statements (${record.id}:1 …)`);
    target = found;
  } else if (sub !== undefined) {
    throw notFound(`Query does not exist: ${id}`);
  }
  if (target.status !== "FINISHED") throw validation(`Query has not finished or did not succeed. Current status: ${target.status}`);
  if (!target.hasResultSet) throw validation("Query does not have result. Please check query status with DescribeStatement.");
  const result = ctx.results.get(id);
  if (!result) throw notFound(`The result of ${id} is no longer available (results are kept for 24 hours)`);
  const offset = readToken(input.NextToken, result.rows.length);
  const end = Math.min(offset + ctx.pageRows, result.rows.length);
  const records = [];
  for (let n = offset; n < end; n++) records.push(toFields(result.rows[n]!, result.kinds));
  return {
    Records: records,
    ColumnMetadata: result.columns,
    TotalNumRows: result.rows.length,
    ...(end < result.rows.length ? { NextToken: Buffer.from(`rows:${end}`).toString("base64") } : {}),
  };
}

export function cancelStatement(ctx: OperationContext, input: JsonObject): object {
  const record = find(ctx, requiredString(input, "Id"));
  if (TERMINAL.has(record.status)) throw validation(`Could not cancel a query that is already in ${record.status} state.`);
  return { Status: ctx.runner.cancel(record.id) };
}

export function listStatements(ctx: OperationContext, input: JsonObject): object {
  const status = input.Status === undefined ? "ALL" : String(input.Status);
  if (!STATUSES.has(status)) throw validation(`Status must be one of ${[...STATUSES].join(", ")}`);
  const max = input.MaxResults === undefined || input.MaxResults === 0 ? 100 : Number(input.MaxResults);
  if (!Number.isInteger(max) || max < 0 || max > 100) throw validation("MaxResults must be between 0 and 100");
  const name = typeof input.StatementName === "string" ? input.StatementName : undefined;
  const matching = ctx.records.list().filter(
    (r) =>
      (status === "ALL" || r.status === status) &&
      (name === undefined || (r.statementName ?? "").startsWith(name)) &&
      (input.Database === undefined || r.database === input.Database) &&
      (input.WorkgroupName === undefined || r.workgroupName === input.WorkgroupName) &&
      (input.ClusterIdentifier === undefined || r.clusterIdentifier === input.ClusterIdentifier),
  );
  const offset = readToken(input.NextToken, matching.length);
  const page = matching.slice(offset, offset + max);
  return {
    Statements: page.map((r) => ({
      Id: r.id,
      Status: r.status,
      CreatedAt: r.createdAt / 1000,
      UpdatedAt: r.updatedAt / 1000,
      IsBatchStatement: r.isBatch,
      ...(r.queryString !== undefined ? { QueryString: r.queryString } : {}),
      ...(r.queryStrings ? { QueryStrings: r.queryStrings } : {}),
      ...(r.statementName ? { StatementName: r.statementName } : {}),
      ...(r.queryParameters ? { QueryParameters: r.queryParameters } : {}),
      ...(r.secretArn ? { SecretArn: r.secretArn } : {}),
      ...(r.sessionId ? { SessionId: r.sessionId } : {}),
    })),
    ...(offset + max < matching.length ? { NextToken: Buffer.from(`rows:${offset + max}`).toString("base64") } : {}),
  };
}

/** Validates the common request fields and records a SUBMITTED statement. */
function submit(ctx: OperationContext, input: JsonObject, what: { isBatch: boolean; queryString?: string; queryStrings?: string[]; queryParameters?: { name: string; value: string }[] }): StatementRecord {
  if (ctx.records.active() >= ctx.maxActiveStatements) {
    throw new RedshiftDataApiError("ActiveStatementsExceededException", `The number of active statements exceeds the limit of ${ctx.maxActiveStatements}`);
  }
  const now = Date.now();
  let database: string;
  let sessionId: string | undefined;
  if (typeof input.SessionId === "string") {
    const session = ctx.runner.session(input.SessionId);
    if (!session) throw validation(`Session ${input.SessionId} is not available: it expired or never existed`);
    if (session.busy) throw new RedshiftDataApiError("ActiveSessionsExceededException", `Session ${input.SessionId} is running another statement`);
    database = session.database;
    sessionId = input.SessionId;
  } else {
    if (typeof input.WorkgroupName !== "string" && typeof input.ClusterIdentifier !== "string") {
      throw validation("Either WorkgroupName or ClusterIdentifier must be specified");
    }
    database = requiredString(input, "Database");
    if (input.SessionKeepAliveSeconds !== undefined) {
      sessionId = randomUUID();
      ctx.runner.openSession(sessionId, database, optionalKeepAlive(input) ?? 0);
    }
  }
  const id = randomUUID();
  const queryId = ctx.records.nextQueryId++;
  const record: StatementRecord = {
    id,
    ...what,
    status: "SUBMITTED",
    hasResultSet: false,
    resultRows: -1,
    resultSize: -1,
    redshiftQueryId: what.isBatch ? 0 : queryId,
    redshiftPid: ctx.records.nextPid++,
    createdAt: now,
    updatedAt: now,
    durationNs: -1,
    database,
    ...(typeof input.WorkgroupName === "string" ? { workgroupName: input.WorkgroupName } : {}),
    ...(typeof input.ClusterIdentifier === "string" ? { clusterIdentifier: input.ClusterIdentifier } : {}),
    ...(typeof input.DbUser === "string" ? { dbUser: input.DbUser } : {}),
    ...(typeof input.SecretArn === "string" ? { secretArn: input.SecretArn } : {}),
    ...(typeof input.StatementName === "string" ? { statementName: input.StatementName } : {}),
    ...(sessionId ? { sessionId } : {}),
    ...(what.queryStrings
      ? {
          subStatements: what.queryStrings.map((queryString, n) => ({
            id: `${id}:${n + 1}`,
            queryString,
            status: "SUBMITTED" as StatementStatus,
            hasResultSet: false,
            resultRows: -1,
            resultSize: -1,
            redshiftQueryId: 0,
            createdAt: now,
            updatedAt: now,
            durationNs: -1,
          })),
        }
      : {}),
  };
  ctx.records.add(record);
  return record;
}

function submitted(record: StatementRecord): object {
  return {
    Id: record.id,
    CreatedAt: record.createdAt / 1000,
    Database: record.database,
    DbUser: record.dbUser ?? "IAMR:local",
    ...(record.workgroupName ? { WorkgroupName: record.workgroupName } : {}),
    ...(record.clusterIdentifier ? { ClusterIdentifier: record.clusterIdentifier } : {}),
    ...(record.secretArn ? { SecretArn: record.secretArn } : {}),
    ...(record.sessionId ? { SessionId: record.sessionId } : {}),
  };
}

function progress(p: StatementProgress): object {
  return {
    Status: p.status,
    ...(p.error ? { Error: p.error } : {}),
    HasResultSet: p.hasResultSet,
    ResultRows: p.resultRows,
    ResultSize: p.resultSize,
    Duration: p.durationNs,
    RedshiftQueryId: p.redshiftQueryId,
    CreatedAt: p.createdAt / 1000,
    UpdatedAt: p.updatedAt / 1000,
  };
}

function find(ctx: OperationContext, id: string): StatementRecord {
  const record = ctx.records.get(id);
  if (!record) throw notFound(`Query does not exist: ${id}`);
  return record;
}

function requiredString(input: JsonObject, field: string): string {
  const value = input[field];
  if (typeof value !== "string" || value.length === 0) throw validation(`${field} is required`);
  return value;
}

function readParameters(value: unknown): { name: string; value: string }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw validation("Parameters must be a list");
  return value.map((p: unknown) => {
    const { name, value: v } = p as { name?: unknown; value?: unknown };
    if (typeof name !== "string" || !PARAMETER_NAME.test(name)) throw validation(`Parameter name ${String(name)} is invalid`);
    if (typeof v !== "string") throw validation(`Parameter ${name} needs a string value`);
    return { name, value: v };
  });
}

function optionalKeepAlive(input: JsonObject): number | undefined {
  const value = input.SessionKeepAliveSeconds;
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 86_400) throw validation("SessionKeepAliveSeconds must be between 0 and 86400");
  return value;
}

function readToken(token: unknown, length: number): number {
  if (token === undefined) return 0;
  const match = typeof token === "string" ? /^rows:(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8")) : null;
  const offset = match ? Number(match[1]) : NaN;
  if (!Number.isInteger(offset) || offset > length) throw validation("The NextToken is invalid");
  return offset;
}
