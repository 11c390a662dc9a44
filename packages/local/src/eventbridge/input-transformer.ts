import { validation } from "./errors.ts";
import type { EventEnvelope } from "./event-envelope.ts";
import { parseJsonPath, readJsonPath } from "./json-path.ts";
import type { TargetRecord } from "./state.ts";

/**
 * What a rule sends a target: the event itself, the target's constant `Input`, the part of the
 * event an `InputPath` selects, or an `InputTransformer` template filled with values the
 * `InputPathsMap` selects (plus EventBridge's `<aws.events.*>` variables).
 */
export interface RuleContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly ingestionTime: string;
}

const PLACEHOLDER = /<([A-Za-z0-9_.\-]+)>/g;
const PREDEFINED = ["aws.events.rule-arn", "aws.events.rule-name", "aws.events.event.ingestion-time", "aws.events.event", "aws.events.event.json"];

/** PutTargets' checks of a target's input members, with AWS's messages. */
export function checkTargetInput(target: TargetRecord): void {
  const given = [target.Input, target.InputPath, target.InputTransformer].filter((v) => v !== undefined).length;
  if (given > 1) throw validation(`Only one of Input, InputPath, or InputTransformer must be provided for target ${target.Id}.`);
  if (target.Input !== undefined) {
    try {
      JSON.parse(target.Input);
    } catch {
      throw validation(`Input for target ${target.Id} is not valid JSON text.`);
    }
  }
  if (target.InputPath !== undefined && !parseJsonPath(target.InputPath)) {
    throw validation(`InputPath for target ${target.Id} is not a valid JSON path.`);
  }
  const transformer = target.InputTransformer;
  if (transformer) {
    if (typeof transformer.InputTemplate !== "string") throw validation(`InputTemplate for target ${target.Id} must be provided.`);
    const keys = Object.keys(transformer.InputPathsMap ?? {});
    for (const [key, path] of Object.entries(transformer.InputPathsMap ?? {})) {
      if (!parseJsonPath(path)) throw validation(`Invalid InputPathsMap for target ${target.Id}: ${key} is not a valid JSON path.`);
    }
    for (const [, name] of transformer.InputTemplate.matchAll(PLACEHOLDER)) {
      if (!keys.includes(name!) && !PREDEFINED.includes(name!)) {
        throw validation(`InputTemplate for target ${target.Id} contains invalid placeholder ${name}.`);
      }
    }
  }
}

/** The text the target receives for `event`. */
export function targetInput(target: TargetRecord, event: EventEnvelope, rule: RuleContext): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) {
    const value = readJsonPath(event, target.InputPath);
    return value === undefined ? "null" : JSON.stringify(value);
  }
  if (target.InputTransformer) return renderTemplate(target.InputTransformer, event, rule);
  return JSON.stringify(event);
}

function renderTemplate(transformer: NonNullable<TargetRecord["InputTransformer"]>, event: EventEnvelope, rule: RuleContext): string {
  const values = new Map<string, unknown>();
  for (const [key, path] of Object.entries(transformer.InputPathsMap ?? {})) values.set(key, readJsonPath(event, path));
  values.set("aws.events.rule-arn", rule.ruleArn);
  values.set("aws.events.rule-name", rule.ruleName);
  values.set("aws.events.event.ingestion-time", rule.ingestionTime);
  values.set("aws.events.event.json", event);
  values.set("aws.events.event", {
    id: event.id,
    account: event.account,
    detailType: event["detail-type"],
    time: rule.ingestionTime,
    source: event.source,
    region: event.region,
    resources: event.resources,
    version: event.version,
  });
  const template = transformer.InputTemplate;
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === "<") {
      const match = /^<([A-Za-z0-9_.\-]+)>/.exec(template.slice(i));
      if (match && values.has(match[1]!)) {
        const value = values.get(match[1]!);
        out += inString ? inStringText(value) : JSON.stringify(value ?? null);
        i += match[0].length - 1;
        continue;
      }
    }
    if (c === "\\" && inString) {
      out += c + (template[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    out += c;
  }
  return out;
}

/**
 * A value placed inside a quoted string of the template: text as is (escaped for JSON), other
 * values in EventBridge's unquoted form (`{acc_id:x,sf_id:y}`, `[HIGH]`), nothing for a missing one.
 */
function inStringText(value: unknown): string {
  const plain = (v: unknown): string => {
    if (v === undefined || v === null) return "";
    if (Array.isArray(v)) return `[${v.map(plain).join(",")}]`;
    if (typeof v === "object") return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}:${plain(x)}`).join(",")}}`;
    return String(v);
  };
  return JSON.stringify(plain(value)).slice(1, -1);
}
