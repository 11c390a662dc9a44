import { TaskFailure, type Clock } from "../interpreter/contract.ts";
import { invalidToken, SfnApiError } from "./errors.ts";

type Outcome = { readonly ok: true; readonly output: unknown } | { readonly ok: false; readonly failure: TaskFailure };

interface PendingTask {
  readonly executionArn: string;
  outcome?: Outcome;
  settle?: (outcome: Outcome) => void;
  /** Restarts the heartbeat countdown. */
  beat?: () => void;
}

/**
 * The task tokens of `.waitForTaskToken` tasks. A token is pending from the moment its task
 * starts (a callee may answer before the integration call returns) until an answer, a timeout or
 * the end of its execution closes it. Answers for a closed token get `TaskTimedOut`, for a
 * well-formed token never issued here `TaskDoesNotExist`, for anything else `InvalidToken`.
 */
export class TaskTokens {
  private readonly pending = new Map<string, PendingTask>();
  private readonly closed = new Set<string>();

  /** Tokens issued before a restart: their tasks are gone, answers to them are too late. */
  markClosed(tokens: Iterable<string>): void {
    for (const token of tokens) this.closed.add(token);
  }

  open(token: string, executionArn: string): void {
    this.pending.set(token, { executionArn });
  }

  /**
   * Waits for the answer to `token`: resolves with SendTaskSuccess's output, rejects with
   * SendTaskFailure's error, with `States.HeartbeatTimeout` when no heartbeat (or answer) comes
   * within `heartbeatSeconds`, or with the signal's reason when the state times out or the
   * execution stops.
   */
  async wait(token: string, signal: AbortSignal, clock: Clock, heartbeatSeconds?: number): Promise<unknown> {
    const task = this.pending.get(token);
    if (!task) throw new TaskFailure("States.Runtime", `Task token ${token} is not open`);
    const heartbeat = new AbortController();
    try {
      const outcome = await new Promise<Outcome>((resolve, reject) => {
        if (task.outcome) return resolve(task.outcome);
        task.settle = resolve;
        const onAbort = () => reject(signal.reason);
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        heartbeat.signal.addEventListener("abort", () => signal.removeEventListener("abort", onAbort), { once: true });
        if (heartbeatSeconds !== undefined) this.countdown(task, heartbeatSeconds, clock, heartbeat.signal, reject);
      });
      if (!outcome.ok) throw outcome.failure;
      return outcome.output;
    } finally {
      heartbeat.abort();
      this.close(token);
    }
  }

  private countdown(task: PendingTask, seconds: number, clock: Clock, done: AbortSignal, reject: (e: unknown) => void): void {
    let beat = new AbortController();
    const arm = () => {
      const current = beat.signal;
      clock.sleep(seconds * 1000, AbortSignal.any([current, done])).then(
        () => reject(new TaskFailure("States.HeartbeatTimeout", `No heartbeat was received within ${seconds} seconds`)),
        () => undefined, // restarted by a heartbeat, or the task ended
      );
    };
    task.beat = () => {
      beat.abort();
      beat = new AbortController();
      arm();
    };
    arm();
  }

  close(token: string): void {
    if (this.pending.delete(token)) this.closed.add(token);
  }

  /** Closes every token of a finished or stopped execution. */
  closeExecution(executionArn: string): void {
    for (const [token, task] of this.pending) {
      if (task.executionArn === executionArn) this.close(token);
    }
  }

  succeed(token: string, output: unknown): void {
    this.answer(token, { ok: true, output });
  }

  fail(token: string, error: string, cause: string): void {
    this.answer(token, { ok: false, failure: new TaskFailure(error, cause) });
  }

  heartbeat(token: string): void {
    this.find(token).beat?.();
  }

  private answer(token: string, outcome: Outcome): void {
    const task = this.find(token);
    if (task.outcome) throw timedOut();
    task.outcome = outcome;
    task.settle?.(outcome);
  }

  private find(token: string): PendingTask {
    const task = this.pending.get(token);
    if (task) return task;
    if (this.closed.has(token)) throw timedOut();
    // A token of the form this runtime issues that it never issued (its execution was deleted,
    // or it comes from another stage) names no task; anything else is not a token at all.
    if (ISSUED_FORM.test(token)) throw new SfnApiError("TaskDoesNotExist", "Task does not exist");
    throw invalidToken(`Invalid Token: '${token.length > 64 ? `${token.slice(0, 64)}…` : token}'`);
  }
}

/** The interpreter's task tokens: 48 random bytes in base64. */
const ISSUED_FORM = /^[A-Za-z0-9+/]{64}$/;

function timedOut(): SfnApiError {
  return new SfnApiError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
}
