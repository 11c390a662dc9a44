import { describe, expect, it } from "vitest";
import { CHANNELS, normalizeChannel } from "@freshet/core";

describe("normalizeChannel", () => {
  it.each([
    [null, "unknown"],
    ["", "unknown"],
    ["   ", "unknown"],
    ["cpc", "paid_search"],
    ["CPC", "paid_search"],
    ["PPC", "paid_search"],
    ["sem", "paid_search"],
    ["paid-search", "paid_search"],
    ["Paid Search", "paid_search"],
    ["  paid  search ", "paid_search"],
    ["search_ads", "paid_search"],
    ["SEO", "organic_search"],
    ["organic", "organic_search"],
    ["Organic-Search", "organic_search"],
    ["social", "organic_social"],
    ["organic social", "organic_social"],
    ["Social Ads", "paid_social"],
    ["paid_social", "paid_social"],
    ["Newsletter", "email"],
    ["e-mail", "email"],
    ["EMAIL", "email"],
    ["banner", "display"],
    ["Display", "display"],
    ["partner", "affiliate"],
    ["affiliate", "affiliate"],
    ["referral", "referral"],
    ["none", "direct"],
    ["Direct", "direct"],
    ["tiktok", "other"],
    ["paidsearch", "other"],
    // Names of Object.prototype members are not channels.
    ["constructor", "other"],
    ["__proto__", "other"],
    ["toString", "other"],
    ["hasOwnProperty", "other"],
  ])("%j → %s", (raw, expected) => {
    expect(normalizeChannel(raw)).toBe(expected);
  });

  it("only ever yields one of the fixed channels", () => {
    const samples = [null, "", "x", "CPC", "Unknown", "OTHER", "direct", "e_mail", "\t", "🎉"];
    for (const raw of samples) expect(CHANNELS).toContain(normalizeChannel(raw));
  });
});
