import { withField, type RepairRule } from "../repair-rule.ts";

/**
 * Plain decimal notation only: digits, an optional fraction. No sign (revenue is never negative),
 * no exponent, no thousands separators or currency symbols, whose meaning depends on a locale.
 * At most 15 significant digits, so the number is exactly the decimal the producer wrote.
 */
const DECIMAL = /^(?:0|[1-9]\d{0,14})(?:\.\d{1,15})?$/;
const MAX_SIGNIFICANT_DIGITS = 15;

/** `revenue: "12.50"` → `revenue: 12.5`: the same amount, as the number the schema asks for. */
export const revenueDecimalString: RepairRule = {
  id: "revenue-decimal-string",
  version: 1,
  description: 'revenue sent as a decimal string ("12.50") becomes that number (12.5); other strings are left alone',
  repair(raw) {
    const revenue = raw.revenue;
    if (typeof revenue !== "string" || !DECIMAL.test(revenue)) return undefined;
    if (revenue.replace(".", "").replace(/^0+/, "").length > MAX_SIGNIFICANT_DIGITS) return undefined;
    return withField(raw, "revenue", Number(revenue));
  },
};
