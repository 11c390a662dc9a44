import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { EndpointRequest, EndpointResponse, EndpointService } from "../endpoint/service.ts";
import { signingService } from "../endpoint/signing.ts";
import { topicArnOf } from "./arns.ts";
import type { SnsCall, SnsContext, SnsOperation } from "./context.ts";
import { Dispatcher, type LogLine } from "./delivery/dispatcher.ts";
import { LOCAL_SIGNING_CERT_PATH } from "./delivery/envelope.ts";
import { resolveRetryOptions, type DeliveryRetryOptions } from "./delivery/retry.ts";
import { SnsApiError } from "./errors.ts";
import { FifoState } from "./fifo.ts";
import { publish, publishBatch } from "./publish-operations.ts";
import { QueryNode } from "./query.ts";
import { TopicStore } from "./store.ts";
import {
  getSubscriptionAttributes,
  listSubscriptions,
  listSubscriptionsByTopic,
  setSubscriptionAttributes,
  subscribe,
  unsubscribe,
} from "./subscription-operations.ts";
import {
  createTopic,
  deleteTopic,
  getTopicAttributes,
  listTagsForResource,
  listTopics,
  setTopicAttributes,
  tagResource,
  untagResource,
} from "./topic-operations.ts";
import { errorDocument, queryResponse } from "./xml.ts";

/** A topic the service makes sure exists when it starts (what `sst deploy` creates in AWS). */
export interface LocalTopic {
  readonly name: string;
  /** Also subscribe the process log (protocol `log`), so `npm start` prints each message. */
  readonly log?: boolean;
}

export interface SnsServiceOptions {
  /** Topics and subscriptions live in `<dataDir>/sns/state.json`; each topic's messages in `<dataDir>/sns/<topic>.ndjson`. */
  readonly dataDir: string;
  /** Default `us-east-1`. */
  readonly region?: string;
  /** Default `000000000000`. */
  readonly accountId?: string;
  /** Where `log` subscriptions and failed deliveries print one-line summaries; default `console.log`. */
  readonly log?: LogLine;
  /** Topics created (idempotently) at start. */
  readonly topics?: readonly LocalTopic[];
  /** Retries of HTTP/S deliveries (default: 3 retries, 1 s doubling, 15 s timeout per attempt). */
  readonly delivery?: DeliveryRetryOptions;
  /** The clock, in epoch ms (message timestamps, FIFO deduplication window). */
  readonly now?: () => number;
}

/** Amazon SNS (AWS Query protocol) on the embedded endpoint. */
export interface SnsService extends EndpointService {
  readonly name: "sns";
  /** `<dataDir>/sns`: the state file and the topics' sink files. */
  readonly snsDir: string;
  topicArn(name: string): string;
  /** Resolves when every webhook delivery started so far has succeeded or been given up. */
  idle(): Promise<void>;
  /** Abandons pending delivery retries (logging each) and stops answering. */
  close(): Promise<void>;
}

const OPERATIONS: Readonly<Record<string, SnsOperation>> = {
  CreateTopic: createTopic,
  DeleteTopic: deleteTopic,
  ListTopics: listTopics,
  GetTopicAttributes: getTopicAttributes,
  SetTopicAttributes: setTopicAttributes,
  ListTagsForResource: listTagsForResource,
  TagResource: tagResource,
  UntagResource: untagResource,
  Subscribe: subscribe,
  Unsubscribe: unsubscribe,
  ListSubscriptions: listSubscriptions,
  ListSubscriptionsByTopic: listSubscriptionsByTopic,
  GetSubscriptionAttributes: getSubscriptionAttributes,
  SetSubscriptionAttributes: setSubscriptionAttributes,
  Publish: publish,
  PublishBatch: publishBatch,
};

/**
 * Creates the embedded SNS service: requests signed for `sns` (form-encoded `Action=…`, XML
 * answers), plus the unsigned `GET /?Action=Unsubscribe&SubscriptionArn=…` that the
 * UnsubscribeURL of every HTTP delivery points at. Register it before S3 (the fallback).
 */
export function createSnsService(options: SnsServiceOptions): SnsService {
  const snsDir = join(options.dataDir, "sns");
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const log = options.log ?? ((line: string) => console.log(line));
  const ctx: SnsContext = {
    region,
    accountId,
    store: TopicStore.open(snsDir),
    dispatcher: new Dispatcher({ dir: snsDir, log, retry: resolveRetryOptions(options.delivery) }),
    fifo: new FifoState(),
    now: options.now ?? Date.now,
  };
  for (const topic of options.topics ?? []) provisionTopic(ctx, topic);
  let closed = false;

  return {
    name: "sns",
    snsDir,
    topicArn: (name) => topicArnOf(ctx, name),
    matches: (req) => signingService(req) === "sns" || isUnsubscribeUrl(req) || isSigningCertUrl(req),
    async handle(req: EndpointRequest): Promise<EndpointResponse> {
      const requestId = randomUUID();
      if (isSigningCertUrl(req)) {
        return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: UNSIGNED_NOTE };
      }
      const params = QueryNode.parse(req.query, new URLSearchParams(req.method === "POST" ? req.body.toString("utf8") : ""));
      const action = params.string("Action") ?? "";
      const operation = OPERATIONS[action];
      try {
        if (closed) throw new SnsApiError("ServiceUnavailable", "The SNS service is shut down");
        if (!operation || (signingService(req) !== "sns" && action !== "Unsubscribe")) {
          throw new SnsApiError("InvalidAction", `The action ${action || "(none)"} is not valid for this endpoint.`);
        }
        const call: SnsCall = { params, baseUrl: `http://${req.headers.host ?? "127.0.0.1"}` };
        const result = await operation(ctx, call);
        return xmlResponse(200, queryResponse(action, result, requestId), requestId);
      } catch (error) {
        if (error instanceof SnsApiError) return xmlResponse(error.status, errorDocument(error.code, error.message, error.status, requestId), requestId);
        // Storage failures and bugs: an SNS-shaped 500 the SDK parses (and may retry), never a crash.
        const message = error instanceof Error ? error.message : String(error);
        try {
          log(`[sns] ${action} failed: ${message}`);
        } catch {
          // The answer below still tells the client; a broken logger must not turn it into a crash.
        }
        return xmlResponse(500, errorDocument("InternalError", message, 500, requestId), requestId);
      }
    },
    idle: () => ctx.dispatcher.idle(),
    async close() {
      if (closed) return;
      closed = true;
      await ctx.dispatcher.close();
    },
  };
}

/** What the SigningCertURL of local deliveries answers. */
const UNSIGNED_NOTE = "Freshet's local SNS does not sign deliveries: skip signature verification against the local endpoint.\n";

function provisionTopic(ctx: SnsContext, topic: LocalTopic): void {
  const call = (fields: Record<string, string>): SnsCall => ({ params: QueryNode.parse(new URLSearchParams(fields)), baseUrl: "" });
  createTopic(ctx, call({ Name: topic.name }));
  if (topic.log) subscribe(ctx, call({ TopicArn: topicArnOf(ctx, topic.name), Protocol: "log" }));
}

function isUnsubscribeUrl(req: EndpointRequest): boolean {
  return req.method === "GET" && req.query.get("Action") === "Unsubscribe" && (req.query.get("SubscriptionArn") ?? "").includes(":sns:");
}

function isSigningCertUrl(req: EndpointRequest): boolean {
  return req.method === "GET" && req.path === LOCAL_SIGNING_CERT_PATH;
}

function xmlResponse(status: number, body: string, requestId: string): EndpointResponse {
  return { status, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body };
}
