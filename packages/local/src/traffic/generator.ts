import { generateEvents } from "./events.ts";
import { sendEvents } from "./send.ts";

export interface Traffic {
  errors(): number;
  stop(): Promise<void>;
}

/** Sends `ratePerSecond` synthetic events, in one request every 250 ms, until stopped. */
export function startTraffic(ingestUrl: string, apiKey: string, ratePerSecond: number): Traffic {
  let errors = 0;
  let seed = Date.now() % 1_000_000;
  let inFlight: Promise<unknown> = Promise.resolve();
  const perTick = Math.max(1, Math.round(ratePerSecond / 4));
  const timer = setInterval(() => {
    const lines = generateEvents(perTick, new Date(), seed++).map((e) => e.line);
    inFlight = sendEvents(ingestUrl, apiKey, lines).catch(() => {
      errors += 1;
    });
  }, 250);
  return {
    errors: () => errors,
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
