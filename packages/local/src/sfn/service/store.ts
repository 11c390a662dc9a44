import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HistoryEvent, ResumePoint } from "../interpreter/contract.ts";
import { SfnStorageError } from "./errors.ts";
import type { ExecutionRecord, StateMachineRecord } from "./records.ts";
import { FinishedExecutions, type ExecutionRetention } from "./retention.ts";

/** The history of a running execution, held in memory and appended to its file in batches. */
interface OpenHistory {
  readonly events: HistoryEvent[];
  flushed: number;
}

/**
 * The service's state on disk under `<dataDir>/sfn/`, browsable by hand:
 * `state-machines/<name>.json`, and per execution `executions/<machine>/<name>/` holding
 * `execution.json`, `history.jsonl` (append-only, one AWS history event per line),
 * `checkpoint.json` (where a restart resumes) and `tokens.jsonl` (task tokens it issued).
 * Records are replaced atomically (write + rename), so a crash leaves the old or the new one.
 * The oldest finished executions of a state machine go, files and all, past its retention
 * (`ExecutionRetention`), as AWS forgets closed executions after 90 days.
 */
export class SfnStore {
  readonly root: string;
  readonly stateMachines = new Map<string, StateMachineRecord>();
  readonly executions = new Map<string, ExecutionRecord>();
  private readonly open = new Map<string, OpenHistory>();
  private readonly finished: FinishedExecutions;
  private flushScheduled = false;

  private constructor(root: string, retention: ExecutionRetention) {
    this.root = root;
    this.finished = new FinishedExecutions(retention);
  }

  static open(dataDir: string, retention: ExecutionRetention = {}): SfnStore {
    const store = new SfnStore(join(dataDir, "sfn"), retention);
    try {
      mkdirSync(join(store.root, "state-machines"), { recursive: true });
      mkdirSync(join(store.root, "executions"), { recursive: true });
      store.load();
    } catch (error) {
      throw new SfnStorageError(`Cannot load Step Functions state from ${store.root}`, { cause: error });
    }
    return store;
  }

  private load(): void {
    const machinesDir = join(this.root, "state-machines");
    for (const file of readdirSync(machinesDir)) {
      if (!file.endsWith(".json")) continue;
      const record = JSON.parse(readFileSync(join(machinesDir, file), "utf8")) as StateMachineRecord;
      this.stateMachines.set(record.name, record);
    }
    const executionsDir = join(this.root, "executions");
    for (const machine of readdirSync(executionsDir)) {
      for (const execution of readdirSync(join(executionsDir, machine))) {
        const file = join(executionsDir, machine, execution, "execution.json");
        if (!existsSync(file)) continue;
        const record = JSON.parse(readFileSync(file, "utf8")) as ExecutionRecord;
        this.executions.set(record.arn, record);
      }
    }
    const finished = [...this.executions.values()].filter((r) => r.stopDate !== undefined).sort((a, b) => a.stopDate! - b.stopDate!);
    for (const record of finished) this.retire(record);
  }

  putStateMachine(record: StateMachineRecord): void {
    this.stateMachines.set(record.name, record);
    writeAtomically(join(this.root, "state-machines", `${segment(record.name)}.json`), JSON.stringify(record, null, 2));
  }

  /** Forgets a state machine and every execution it ran. */
  deleteStateMachine(name: string): void {
    this.stateMachines.delete(name);
    for (const [arn, record] of this.executions) {
      if (record.stateMachineName === name) {
        this.executions.delete(arn);
        this.open.delete(arn);
      }
    }
    this.finished.deleteMachine(name);
    rmSync(join(this.root, "state-machines", `${segment(name)}.json`), { force: true });
    rmSync(join(this.root, "executions", segment(name)), { recursive: true, force: true });
  }

  putExecution(record: ExecutionRecord): void {
    this.executions.set(record.arn, record);
    const dir = this.executionDir(record);
    mkdirSync(dir, { recursive: true });
    writeAtomically(join(dir, "execution.json"), JSON.stringify(record, null, 2));
  }

  /** Starts holding an execution's history in memory (loading what its file already has). */
  openHistory(record: ExecutionRecord): void {
    if (this.open.has(record.arn)) return;
    const events = this.readHistoryFile(record);
    this.open.set(record.arn, { events, flushed: events.length });
  }

  appendHistory(arn: string, event: HistoryEvent): void {
    const history = this.open.get(arn);
    if (!history) throw new SfnStorageError(`History of ${arn} is not open for writing`);
    history.events.push(event);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // One write per execution per turn of the event loop: a Map state emits thousands of events.
      setImmediate(() => {
        try {
          this.flush();
        } catch (error) {
          // Nobody awaits this write; the next flush (checkpoint, completion) retries the same lines.
          console.error(error);
        }
      });
    }
  }

  lastEvent(arn: string): HistoryEvent | undefined {
    const events = this.open.get(arn)?.events;
    return events?.[events.length - 1];
  }

  /** Every event of an execution, oldest first. */
  history(record: ExecutionRecord): readonly HistoryEvent[] {
    return this.open.get(record.arn)?.events ?? this.readHistoryFile(record);
  }

  /** Writes the pending events of every open history. */
  flush(): void {
    this.flushScheduled = false;
    for (const [arn, history] of this.open) this.flushHistory(arn, history);
  }

  /** Flushes and stops holding an execution's history (it has finished); older ones past the retention go. */
  closeHistory(arn: string): void {
    const history = this.open.get(arn);
    if (!history) return;
    this.flushHistory(arn, history);
    this.open.delete(arn);
    const record = this.executions.get(arn);
    if (record) this.retire(record);
  }

  /** Counts a finished execution against its machine's retention, and lets go of what falls out. */
  private retire(record: ExecutionRecord): void {
    const dir = this.executionDir(record);
    let bytes = 0;
    for (const file of ["execution.json", "history.jsonl"]) bytes += existsSync(join(dir, file)) ? statSync(join(dir, file)).size : 0;
    for (const arn of this.finished.add(record.stateMachineName, record.arn, bytes)) {
      const expired = this.executions.get(arn);
      if (!expired || this.open.has(arn)) continue;
      this.executions.delete(arn);
      rmSync(this.executionDir(expired), { recursive: true, force: true });
    }
  }

  /**
   * Drops the events a crash left after the last checkpoint: the resumed run numbers its events
   * from `nextEventId` again, so the history must end just before it.
   */
  truncateHistory(record: ExecutionRecord, nextEventId: number): void {
    const kept = this.readHistoryFile(record).filter((e) => e.id < nextEventId);
    writeAtomically(this.historyFile(record), kept.map((e) => `${JSON.stringify(e)}\n`).join(""));
    this.open.set(record.arn, { events: kept, flushed: kept.length });
  }

  writeCheckpoint(record: ExecutionRecord, point: ResumePoint): void {
    const history = this.open.get(record.arn);
    // The checkpoint names event ids: everything before it must be on disk first.
    if (history) this.flushHistory(record.arn, history);
    writeAtomically(join(this.executionDir(record), "checkpoint.json"), JSON.stringify(point));
  }

  readCheckpoint(record: ExecutionRecord): ResumePoint | undefined {
    const file = join(this.executionDir(record), "checkpoint.json");
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ResumePoint) : undefined;
  }

  recordToken(record: ExecutionRecord, token: string): void {
    appendFileSync(join(this.executionDir(record), "tokens.jsonl"), `${JSON.stringify(token)}\n`);
  }

  /** Task tokens an execution was ever given (a restart closes them all). */
  tokens(record: ExecutionRecord): string[] {
    const file = join(this.executionDir(record), "tokens.jsonl");
    if (!existsSync(file)) return [];
    return parseLines<string>(readFileSync(file, "utf8"));
  }

  private flushHistory(arn: string, history: OpenHistory): void {
    if (history.flushed === history.events.length) return;
    const record = this.executions.get(arn);
    if (!record) return;
    const lines = history.events.slice(history.flushed).map((e) => `${JSON.stringify(e)}\n`).join("");
    try {
      appendFileSync(this.historyFile(record), lines);
    } catch (error) {
      throw new SfnStorageError(`Cannot append to the history of ${arn}`, { cause: error });
    }
    history.flushed = history.events.length;
  }

  private readHistoryFile(record: ExecutionRecord): HistoryEvent[] {
    const file = this.historyFile(record);
    return existsSync(file) ? parseLines<HistoryEvent>(readFileSync(file, "utf8")) : [];
  }

  private historyFile(record: ExecutionRecord): string {
    return join(this.executionDir(record), "history.jsonl");
  }

  private executionDir(record: ExecutionRecord): string {
    return join(this.root, "executions", segment(record.stateMachineName), segment(record.name));
  }
}

/** A name as one path segment: names may hold `.` and non-ASCII letters, never `/`. */
function segment(name: string): string {
  return encodeURIComponent(name).replaceAll(".", "%2E");
}

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** JSON lines; a torn last line (a crash mid-append) is ignored. */
function parseLines<T>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split("\n")) {
    if (line.length === 0) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      break;
    }
  }
  return out;
}
