/**
 * Producers name marketing channels freely ("CPC", "paid-search", "Newsletter"). Dashboards
 * group by a small fixed set, so enrichment maps the spellings we know and keeps the rest as
 * `other` rather than inventing a channel per typo.
 */
export const CHANNELS = [
  "paid_search",
  "organic_search",
  "paid_social",
  "organic_social",
  "email",
  "display",
  "affiliate",
  "referral",
  "direct",
  "other",
  "unknown",
] as const;

export type Channel = (typeof CHANNELS)[number];

const ALIASES: Readonly<Record<string, Channel>> = {
  cpc: "paid_search",
  ppc: "paid_search",
  sem: "paid_search",
  paid_search: "paid_search",
  search_ads: "paid_search",
  seo: "organic_search",
  organic: "organic_search",
  organic_search: "organic_search",
  paid_social: "paid_social",
  social_ads: "paid_social",
  social: "organic_social",
  organic_social: "organic_social",
  email: "email",
  e_mail: "email",
  newsletter: "email",
  display: "display",
  banner: "display",
  affiliate: "affiliate",
  partner: "affiliate",
  referral: "referral",
  direct: "direct",
  none: "direct",
};

export function normalizeChannel(raw: string | null): Channel {
  if (raw === null) return "unknown";
  // Most producers already send a known spelling, which normalisation would leave unchanged.
  if (Object.hasOwn(ALIASES, raw)) return ALIASES[raw] as Channel;
  const key = raw.trim().toLowerCase().replace(/[\s-]+/g, "_");
  if (key === "") return "unknown";
  return Object.hasOwn(ALIASES, key) ? (ALIASES[key] as Channel) : "other";
}
