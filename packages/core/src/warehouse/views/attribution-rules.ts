/*
 * Revenue attribution's rules, written once for the view over `events` (revenue-attribution.ts)
 * and for the credits each load recomputes (rollups/maintain.ts): what a purchase and a touch
 * are, how a purchase's touches rank, and which rank each model credits. Both texts are part of
 * applied migrations (2 and 4, by checksum), so these builders reproduce them character for
 * character: change a rule with a new migration, never here.
 */

/** The models, each crediting the touch its rank puts first. */
const MODELS = [
  { model: "first_touch", rank: "first_rank" },
  { model: "last_touch", rank: "last_rank" },
] as const;

/** What breaks a tie on time, in order: deterministic credits. */
const RANK_ORDER = ["occurred_at", "campaign_id", "channel", "event_id"] as const;

function qualified(alias: string | undefined, column: string): string {
  return alias === undefined ? column : `${alias}.${column}`;
}

/** A purchase, as the revenue views count one (`alias` qualifies the columns). */
export function isPurchase(alias?: string): string {
  return `${qualified(alias, "event_type")} = 'purchase' AND ${qualified(alias, "revenue")} IS NOT NULL`;
}

/** A touch: any event with a campaign. */
export function isTouch(alias?: string): string {
  return `${qualified(alias, "campaign_id")} IS NOT NULL`;
}

/** `ROW_NUMBER()` of a purchase's touches, earliest first (`ASC`) or latest first (`DESC`). */
function touchRank(direction: "ASC" | "DESC", name: string): string {
  return `ROW_NUMBER() OVER (PARTITION BY p.event_id ORDER BY ${RANK_ORDER.map((c) => `t.${c} ${direction}`).join(", ")}) AS ${name}`;
}

/**
 * The `purchases`, `touches` and `candidates` common table expressions (for a `WITH`): every
 * purchase with each touch of its user at or before it, ranked `first_rank` and `last_rank`; a
 * purchase with no touch is one candidate with its own channel and no campaign. With `users` (a
 * CTE of `user_id`s) only those users' events are read and the candidates carry `user_id`; with
 * `since` too (a column of `users`), only each user's purchases at or after it (their touches
 * still from the whole history, since any earlier touch can rank first).
 */
export function attributionCandidates(users?: string, since?: string): string {
  const alias = users === undefined ? undefined : "e";
  const from = users === undefined ? "events" : "events AS e";
  const scope = users === undefined ? "" : ` AND e.user_id IN (SELECT user_id FROM ${users})`;
  // With `since`, the earliest of them bounds the purchases' time too: implied by the per-user
  // test, but on `events`' sort key, so the scan skips every block before it (zone maps).
  const purchaseScope =
    users === undefined || since === undefined
      ? scope
      : ` AND e.occurred_at >= (SELECT MIN(${since}) FROM ${users}) AND EXISTS (SELECT 1 FROM ${users} AS u WHERE u.user_id = e.user_id AND u.${since} <= e.occurred_at)`;
  const columns = (names: readonly string[]): string => names.map((c) => qualified(alias, c)).join(", ");
  return `purchases AS (
  SELECT ${columns(["event_id", "user_id", "occurred_at", "revenue", "channel"])}
  FROM ${from}
  WHERE ${isPurchase(alias)}${purchaseScope}
),
touches AS (
  SELECT ${columns(["event_id", "user_id", "occurred_at", "channel", "campaign_id"])}
  FROM ${from}
  WHERE ${isTouch(alias)}${scope}
),
candidates AS (
  SELECT
    p.event_id AS purchase_id,${users === undefined ? "" : "\n    p.user_id,"}
    p.occurred_at AS purchased_at,
    p.revenue,
    COALESCE(t.channel, p.channel) AS channel,
    t.campaign_id,
    ${touchRank("ASC", "first_rank")},
    ${touchRank("DESC", "last_rank")}
  FROM purchases AS p
  LEFT JOIN touches AS t ON t.user_id = p.user_id AND t.occurred_at <= p.occurred_at
)`;
}

/**
 * Each model's credited candidates, one SELECT per model joined by UNION ALL. `columns` gives the
 * select list for a model's name (as an SQL literal); `indent` prefixes every line.
 */
export function creditedCandidates(columns: (model: string) => string, indent = ""): string {
  return MODELS.map(({ model, rank }) => `${indent}SELECT ${columns(`'${model}'`)} FROM candidates WHERE ${rank} = 1`).join(`\n${indent}UNION ALL\n`);
}
