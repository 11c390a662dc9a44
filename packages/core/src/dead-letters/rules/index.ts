import type { RepairRule } from "../repair-rule.ts";
import { currencyCodeCase } from "./currency-code-case.ts";
import { epochSubMillisecond } from "./epoch-sub-millisecond.ts";
import { propertiesJsonString } from "./properties-json-string.ts";
import { revenueDecimalString } from "./revenue-decimal-string.ts";
import { unknownTopLevelFields } from "./unknown-top-level-fields.ts";

/**
 * Every repair triage may apply, tried in this order; the first whose repaired event passes the
 * transformer's validation wins. Each fixes one mistake producers really make and only
 * re-expresses what they sent (a unit, a type, a place): none fills in or guesses a value.
 */
export const REPAIR_RULES: readonly RepairRule[] = [
  revenueDecimalString,
  epochSubMillisecond,
  unknownTopLevelFields,
  currencyCodeCase,
  propertiesJsonString,
];

export { currencyCodeCase, epochSubMillisecond, propertiesJsonString, revenueDecimalString, unknownTopLevelFields };
