import { CronFieldError } from "./errors.ts";

/**
 * AWS's six-field cron (`minutes hours day-of-month month day-of-week year`), checked against the
 * rules of the EventBridge and Scheduler guides:
 *
 * | field        | values              | wildcards        |
 * |--------------|---------------------|------------------|
 * | minutes      | 0-59                | , - * /          |
 * | hours        | 0-23                | , - * /          |
 * | day-of-month | 1-31                | , - * ? / L W    |
 * | month        | 1-12 or JAN-DEC     | , - * /          |
 * | day-of-week  | 1-7 or SUN-SAT      | , - * ? L #      |
 * | year         | 1970-2199           | , - * /          |
 *
 * Exactly one of day-of-month and day-of-week is `?`. Day-of-week 1 is Sunday. `L` (last day of
 * the month, or alone in day-of-week: Saturday), `LW`/`nW` (nearest weekday) and `nL`/`n#k` (last
 * or k-th n-day of the month) stand alone in their field. An increment may not exceed the field's
 * span (`*\/60` in minutes is refused, as AWS refuses it); ranges must ascend.
 */

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Largest increment allowed after `/`; 0 when increments are not allowed. */
  readonly maxStep: number;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: readonly FieldSpec[] = [
  { name: "minutes", min: 0, max: 59, maxStep: 59 },
  { name: "hours", min: 0, max: 23, maxStep: 23 },
  { name: "day-of-month", min: 1, max: 31, maxStep: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS, maxStep: 12 },
  { name: "day-of-week", min: 1, max: 7, names: DAYS, maxStep: 0 },
  { name: "year", min: 1970, max: 2199, maxStep: 229 },
];

/**
 * Validates the six fields and returns them normalised for croner (names upper-cased, a lone `L`
 * in day-of-week as `7`). Throws `CronFieldError` naming the field and the rule broken.
 */
export function checkCronFields(fields: readonly string[]): string[] {
  if (fields.length !== 6) throw new CronFieldError(`a cron expression has 6 fields, not ${fields.length}`);
  const [, , dom, , dow] = fields as [string, string, string, string, string, string];
  if ((dom === "?") === (dow === "?")) {
    throw new CronFieldError("exactly one of day-of-month and day-of-week must be '?'");
  }
  return fields.map((raw, i) => {
    const spec = FIELDS[i]!;
    const field = raw.toUpperCase();
    if (field === "?") {
      if (i !== 2 && i !== 4) throw new CronFieldError(`${spec.name}: '?' is only for day-of-month or day-of-week`);
      return field;
    }
    if (i === 2) {
      if (field === "L" || field === "LW") return field;
      const weekday = /^(\d+)W$/.exec(field);
      if (weekday) {
        number(spec, weekday[1]!);
        return field;
      }
    }
    if (i === 4) {
      if (field === "L") return "7";
      const last = /^(\w+)L$/.exec(field);
      if (last) {
        value(spec, last[1]!);
        return field;
      }
      const nth = /^(\w+)#(\d+)$/.exec(field);
      if (nth) {
        value(spec, nth[1]!);
        const k = Number(nth[2]);
        if (!(k >= 1 && k <= 5)) throw new CronFieldError(`day-of-week '${raw}': the occurrence after # is 1 to 5`);
        return field;
      }
    }
    for (const item of field.split(",")) checkItem(spec, item, raw);
    return field;
  });
}

function checkItem(spec: FieldSpec, item: string, raw: string): void {
  const slash = item.split("/");
  if (slash.length > 2) throw new CronFieldError(`${spec.name} '${raw}': more than one '/'`);
  const [base, stepText] = slash as [string, string | undefined];
  if (stepText !== undefined) {
    if (spec.maxStep === 0) throw new CronFieldError(`${spec.name} '${raw}': increments ('/') are not allowed here`);
    const step = Number(stepText);
    if (!/^\d+$/.test(stepText) || step < 1 || step > spec.maxStep) {
      throw new CronFieldError(`${spec.name} '${raw}': the increment must be 1 to ${spec.maxStep}`);
    }
  }
  if (base === "*") return;
  const range = base.split("-");
  if (range.length > 2) throw new CronFieldError(`${spec.name} '${raw}': malformed range`);
  const from = value(spec, range[0]!);
  if (range.length === 2) {
    const to = value(spec, range[1]!);
    if (from > to) throw new CronFieldError(`${spec.name} '${raw}': a range must ascend`);
  }
}

/** A number or (month, day-of-week) a name, within the field's bounds. */
function value(spec: FieldSpec, text: string): number {
  const named = spec.names?.indexOf(text) ?? -1;
  if (named >= 0) return named + 1;
  return number(spec, text);
}

function number(spec: FieldSpec, text: string): number {
  if (!/^\d+$/.test(text)) throw new CronFieldError(`${spec.name}: '${text}' is not a value`);
  const n = Number(text);
  if (n < spec.min || n > spec.max) throw new CronFieldError(`${spec.name}: ${n} is outside ${spec.min}-${spec.max}`);
  return n;
}
