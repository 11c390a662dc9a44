import { nextFireTimes, parseScheduleExpression } from "@freshet/eventbridge";
import { scheduledEvent } from "./event-envelope.ts";
import type { RuleRouter } from "./rule-router.ts";
import { runSchedule, type ScheduledJob } from "./schedule-timer.ts";
import { ruleArn, type EventBridgeContext, type RuleRecord } from "./state.ts";

/**
 * The timers of rules with a schedule expression: each enabled one fires a "Scheduled Event" to
 * its targets at the times its expression names, counted from when the rule was scheduled.
 */
export class RuleSchedules {
  readonly #ctx: EventBridgeContext;
  readonly #router: RuleRouter;
  readonly #jobs = new Map<RuleRecord, ScheduledJob>();
  #closed = false;

  constructor(ctx: EventBridgeContext, router: RuleRouter) {
    this.#ctx = ctx;
    this.#router = router;
  }

  /** (Re)arms the rule's timer after it was created or changed; stops it when deleted or disabled. */
  arm(rule: RuleRecord, deleted = false): void {
    this.#jobs.get(rule)?.stop();
    this.#jobs.delete(rule);
    if (deleted || this.#closed || rule.scheduleExpression === undefined || rule.state === "DISABLED") return;
    const { clock, accountId, region } = this.#ctx;
    const schedule = parseScheduleExpression(rule.scheduleExpression);
    const anchor = new Date(rule.scheduleSince ?? clock.now());
    const next = (after: number) => nextFireTimes(schedule, new Date(after), 1, { anchor })[0]?.getTime();
    this.#jobs.set(
      rule,
      runSchedule(clock, next, (at) => this.#router.sendToTargets(rule, scheduledEvent(ruleArn(this.#ctx, rule), at, accountId, region))),
    );
  }

  close(): void {
    this.#closed = true;
    for (const job of this.#jobs.values()) job.stop();
    this.#jobs.clear();
  }
}
