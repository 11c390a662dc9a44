/**
 * A one-line progress bar on stderr for long CLI work (replay, load-now, dlq redrive, anomalies
 * train): drawn only when stderr is a terminal, so piped output and `--json` consumers never see
 * control characters.
 */
export interface Progress {
  /** `done` of the total so far, and a short note after the bar (`1,234 records`). */
  update(done: number, note?: string): void;
  /** Clears the bar (the caller prints the summary). */
  finish(): void;
}

export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  readonly stream?: NodeJS.WriteStream;
  /** Redraws at most this often (ms): a bar per record would cost more than the work. */
  readonly intervalMs?: number;
}

const WIDTH = 28;

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) return { update() {}, finish() {} };
  const interval = options.intervalMs ?? 100;
  let drawnAt = 0;
  let drawn = false;
  return {
    update(done, note) {
      const now = Date.now();
      if (drawn && now - drawnAt < interval && done < options.total) return;
      drawnAt = now;
      drawn = true;
      stream.write(`\r\x1b[2K${renderProgress(options.label, done, options.total, note)}`);
    },
    finish() {
      if (drawn) stream.write("\r\x1b[2K");
    },
  };
}

/** `label [#######.......]  42 %  note`; an unknown total (0) shows the count only. */
export function renderProgress(label: string, done: number, total: number, note?: string): string {
  const tail = note ? `  ${note}` : "";
  if (total <= 0) return `${label} ${done.toLocaleString("en-US")}${tail}`;
  const share = Math.min(1, Math.max(0, done / total));
  const filled = Math.round(share * WIDTH);
  return `${label} [${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)} %${tail}`;
}

/**
 * A bar for work of unknown length that waits on AWS (a workflow, a training job): elapsed
 * seconds and what it is doing, redrawn every `tickMs` so it moves between slow polls. Log lines
 * are printed above the bar; off a terminal they are all that is written.
 */
export interface Activity {
  /** What the work is doing now (`TriageMap`, `training job InProgress`): redraws at once. */
  step(note: string): void;
  /** A line that stays (`started arn:…`), above the bar. */
  log(line: string): void;
  /** Stops redrawing and clears the bar. */
  finish(): void;
}

export interface ActivityOptions {
  readonly label: string;
  readonly stream?: NodeJS.WriteStream;
  readonly tickMs?: number;
}

export function createActivity(options: ActivityOptions): Activity {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) return { step() {}, log: (line) => void stream.write(`${line}\n`), finish() {} };
  const started = Date.now();
  let note = "";
  let drawn = false;
  const draw = () => {
    drawn = true;
    stream.write(`\r\x1b[2K${renderProgress(options.label, Math.floor((Date.now() - started) / 1000), 0, `s${note ? `, ${note}` : ""}`)}`);
  };
  // unref: a forgotten finish() must not keep the CLI alive.
  const timer = setInterval(draw, options.tickMs ?? 1000).unref();
  return {
    step(next) {
      note = next;
      draw();
    },
    log(line) {
      stream.write(`${drawn ? "\r\x1b[2K" : ""}${line}\n`);
      if (drawn) draw();
    },
    finish() {
      clearInterval(timer);
      if (drawn) stream.write("\r\x1b[2K");
      drawn = false;
    },
  };
}
