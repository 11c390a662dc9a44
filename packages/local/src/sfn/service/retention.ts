/** How many finished executions each state machine keeps, and how many bytes of them. */
export interface ExecutionRetention {
  /** Finished executions per state machine (default 1,000). */
  readonly executions?: number;
  /**
   * Bytes of their files per state machine (default 128 MiB). A LakeFreshness history holds every
   * listing page (3–4 MB an hour into a busy `npm start`); AWS keeps closed executions for 90 days
   * on its own storage, here they would fill the user's disk at about 0.75 GB an hour.
   */
  readonly bytes?: number;
}

const DEFAULT_EXECUTIONS = 1000;
const DEFAULT_BYTES = 128 * 1024 * 1024;

interface Finished {
  readonly arn: string;
  readonly bytes: number;
}

/**
 * The finished executions of each state machine, oldest first, and which to let go once a
 * machine keeps more than the retention allows. Running executions are never counted or let go.
 */
export class FinishedExecutions {
  private readonly maxExecutions: number;
  private readonly maxBytes: number;
  private readonly byMachine = new Map<string, { list: Finished[]; bytes: number }>();

  constructor(retention: ExecutionRetention = {}) {
    this.maxExecutions = retention.executions ?? DEFAULT_EXECUTIONS;
    this.maxBytes = retention.bytes ?? DEFAULT_BYTES;
  }

  /** Records a finished execution (call in the order they finished); returns the ARNs to let go. */
  add(machine: string, arn: string, bytes: number): string[] {
    let kept = this.byMachine.get(machine);
    if (!kept) this.byMachine.set(machine, (kept = { list: [], bytes: 0 }));
    kept.list.push({ arn, bytes });
    kept.bytes += bytes;
    const expired: string[] = [];
    // The newest is always kept, however large: a DescribeExecution right after it finished must answer.
    while (kept.list.length > 1 && (kept.list.length > this.maxExecutions || kept.bytes > this.maxBytes)) {
      const oldest = kept.list.shift()!;
      kept.bytes -= oldest.bytes;
      expired.push(oldest.arn);
    }
    return expired;
  }

  /** Forgets every execution of a machine (the machine was deleted). */
  deleteMachine(machine: string): void {
    this.byMachine.delete(machine);
  }
}
