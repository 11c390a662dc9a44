import { compileEventPattern, matchesPattern, type CompiledEventPattern } from "@freshet/eventbridge";
import type { DeliveryEngine } from "./delivery.ts";
import { eventTime, type EventEnvelope } from "./event-envelope.ts";
import { targetInput } from "./input-transformer.ts";
import { ruleArn, type EventBridgeContext, type RuleRecord } from "./state.ts";

/**
 * Where events go: an event put on a bus reaches each enabled rule of that bus whose pattern
 * matches it, and each of the rule's targets gets it (through its input transformer) from the
 * delivery engine, which retries and dead-letters as EventBridge does.
 */
export class RuleRouter {
  readonly #ctx: EventBridgeContext;
  readonly #delivery: DeliveryEngine;
  /** Patterns compiled once per pattern text: rules are matched on every event. */
  readonly #patterns = new Map<string, CompiledEventPattern>();
  #closed = false;

  constructor(ctx: EventBridgeContext, delivery: DeliveryEngine) {
    this.#ctx = ctx;
    this.#delivery = delivery;
  }

  /** An event on `busName`, from PutEvents or from AWS itself (S3 notifications). */
  publish(busName: string, event: EventEnvelope): void {
    if (this.#closed) return;
    for (const rule of this.#ctx.state.rules) {
      if (rule.busName !== busName || rule.state === "DISABLED" || rule.eventPattern === undefined) continue;
      if (matchesPattern(this.#compiled(rule.eventPattern), event)) this.sendToTargets(rule, event);
    }
  }

  /** Sends the event to every target of the rule (a match, or a schedule firing). */
  sendToTargets(rule: RuleRecord, event: EventEnvelope): void {
    const arn = ruleArn(this.#ctx, rule);
    const context = { ruleArn: arn, ruleName: rule.name, ingestionTime: eventTime(this.#ctx.clock.now()) };
    for (const target of rule.targets) {
      void this.#delivery.send({ source: arn, arn: target.Arn, roleArn: target.RoleArn, input: targetInput(target, event, context), event });
    }
  }

  close(): void {
    this.#closed = true;
  }

  #compiled(pattern: string): CompiledEventPattern {
    let compiled = this.#patterns.get(pattern);
    if (!compiled) {
      compiled = compileEventPattern(pattern);
      this.#patterns.set(pattern, compiled);
    }
    return compiled;
  }
}
