import { withField, type RepairRule } from "../repair-rule.ts";

const LETTERS = /^[A-Za-z]{3}$/;

/** `currency: "usd"` → `"USD"`: ISO-4217 codes are upper case; the letters are the producer's. */
export const currencyCodeCase: RepairRule = {
  id: "currency-code-case",
  version: 1,
  description: 'a three-letter currency code in lower or mixed case ("usd") becomes upper case ("USD")',
  repair(raw) {
    const currency = raw.currency;
    if (typeof currency !== "string" || !LETTERS.test(currency)) return undefined;
    const upper = currency.toUpperCase();
    return upper === currency ? undefined : withField(raw, "currency", upper);
  },
};
