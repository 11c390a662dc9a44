import type { SnsScope } from "./arns.ts";
import type { Dispatcher } from "./delivery/dispatcher.ts";
import type { FifoState } from "./fifo.ts";
import type { QueryNode } from "./query.ts";
import type { TopicStore } from "./store.ts";

/** What every operation needs: the account's topics, where deliveries go, the clock. */
export interface SnsContext extends SnsScope {
  readonly store: TopicStore;
  readonly dispatcher: Dispatcher;
  readonly fifo: FifoState;
  readonly now: () => number;
}

/** One request as an operation sees it. */
export interface SnsCall {
  readonly params: QueryNode;
  /** `http://<host the client used>`: where this endpoint is reachable, for the UnsubscribeURL of deliveries. */
  readonly baseUrl: string;
}

/** An operation returns the inner XML of its `<…Result>` element, or undefined when it has none. */
export type SnsOperation = (ctx: SnsContext, call: SnsCall) => Promise<string | undefined> | string | undefined;
