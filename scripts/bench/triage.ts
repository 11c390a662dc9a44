import {
  classifyRecord,
  DEFAULT_PIPELINE_CONFIG,
  parseDeadLetter,
  planBatch,
  triageDeadLetter,
  type DeadLetter,
  type StreamBatch,
} from "@freshet/core";
import { compareOpsPerSecond, format } from "./measure.ts";

const ARRIVAL = new Date("2026-11-26T10:30:00.000Z");
/** Triage runs an hour after the dead letters were written. */
const NOW = new Date(ARRIVAL.getTime() + 3_600_000);
const OCCURRED_MS = ARRIVAL.getTime() - 15 * 60_000;

export interface TriageBench {
  readonly deadLetters: number;
  readonly repaired: number;
  readonly quarantined: number;
  /** Dead letters classified, repaired, re-validated and turned into redrive records, per second. */
  readonly lettersPerSecond: number;
  /** The transformer's own `classifyRecord` over the same original bytes, per second. */
  readonly referencePerSecond: number;
  readonly ratio: number;
}

/**
 * Triage throughput with core alone: a mixed corpus of dead letters (made by `planBatch` from the
 * mistakes producers make, fixable and not), each classified, repaired and re-validated by
 * `triageDeadLetter`, side by side with the transformer validating the same original bytes once.
 * Triage validates each letter at least twice (the original's parse, the repair's full check), so
 * a ratio near 0.5 is the natural ceiling.
 */
export async function benchTriage(size = 4000): Promise<TriageBench> {
  const letters = deadLetterCorpus(size);
  const originals = letters.map(({ letter }) => Buffer.from(letter.original_base64, "base64"));
  let repaired = 0;
  for (const { letter, key } of letters) if (triageDeadLetter(letter, key, DEFAULT_PIPELINE_CONFIG, NOW).kind === "repaired") repaired += 1;

  const triageAll = (): void => {
    for (const { letter, key } of letters) triageDeadLetter(letter, key, DEFAULT_PIPELINE_CONFIG, NOW);
  };
  const validateAll = (): void => {
    for (const bytes of originals) classifyRecord(bytes, ARRIVAL, DEFAULT_PIPELINE_CONFIG);
  };
  const [triaged = 0, reference = 0] = await compareOpsPerSecond([triageAll, validateAll], 3000, 200);
  const result: TriageBench = {
    deadLetters: letters.length,
    repaired,
    quarantined: letters.length - repaired,
    lettersPerSecond: triaged * letters.length,
    referencePerSecond: reference * letters.length,
    ratio: triaged / reference,
  };
  console.log(`\nDead-letter triage (${format(result.deadLetters)} dead letters: ${format(repaired)} repairable, ${format(result.quarantined)} to quarantine)`);
  console.log(`  transformer's classifyRecord over the same bytes   ${format(result.referencePerSecond)} letters/s`);
  console.log(`  classify + repair + re-validate + redrive record   ${format(result.lettersPerSecond)} letters/s   ratio ${format(result.ratio, 2)}`);
  return result;
}

/** Producers' mistakes, in rotation: five that a rule repairs, three that it must not. */
const MISTAKES: readonly ((i: number) => string)[] = [
  (i) => event(i, { revenue: `${(i % 997) + 0.5}`, currency: "USD" }),
  (i) => event(i, { occurred_at: OCCURRED_MS * 1000 + (i % 1000) }),
  (i) => event(i, { plan: "pro", seats: i % 50, properties: { page: "/pricing" } }),
  (i) => event(i, { revenue: 10, currency: "eur" }),
  (i) => event(i, { properties: JSON.stringify({ ref: `r${i}` }) }),
  (i) => event(i, { revenue: "12.50" }), // repaired type, still no currency: quarantined after re-validation
  (i) => event(i, { user_id: "" }),
  (i) => `{"event_id":"evt-${i}","event_type":`,
];

function event(i: number, overrides: Record<string, unknown>): string {
  return JSON.stringify({
    schema_version: 2,
    event_id: `evt-${i}`,
    event_type: "purchase",
    occurred_at: new Date(OCCURRED_MS).toISOString(),
    user_id: `user-${i % 500}`,
    account_id: "acct-7",
    campaign_id: "spring-sale",
    channel: "cpc",
    ...overrides,
  });
}

/** `size` dead letters as the transformer writes them, with the keys of their objects. */
function deadLetterCorpus(size: number): { letter: DeadLetter; key: string }[] {
  const corpus: { letter: DeadLetter; key: string }[] = [];
  for (let start = 0; start < size; start += 500) {
    const batch: StreamBatch = {
      streamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/freshet-events",
      shardId: "shardId-000000000000",
      records: Array.from({ length: Math.min(500, size - start) }, (_, n) => {
        const i = start + n;
        return { data: Buffer.from(MISTAKES[i % MISTAKES.length]!(i)), sequenceNumber: String(10_000 + i), partitionKey: `evt-${i}`, arrivedAt: ARRIVAL };
      }),
    };
    for (const o of planBatch(batch, DEFAULT_PIPELINE_CONFIG).objects) {
      if (o.kind !== "dead_letters") continue;
      for (const line of o.body.split("\n")) if (line) corpus.push({ letter: parseDeadLetter(line), key: o.key });
    }
  }
  return corpus;
}
