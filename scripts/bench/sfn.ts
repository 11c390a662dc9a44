import { realClock, runExecution, type ContextObject, type HistoryEvent } from "../../packages/local/src/sfn/interpreter/index.ts";
import { format, opsPerSecond } from "./measure.ts";

const ITEMS = 1000;

/** A 1,000-item inline Map whose iterations are a small Pass → Choice → Pass, as JSONata ASL. */
const definition = {
  QueryLanguage: "JSONata",
  StartAt: "EachItem",
  States: {
    EachItem: {
      Type: "Map",
      Items: "{% $states.input.items %}",
      ItemProcessor: {
        ProcessorConfig: { Mode: "INLINE" },
        StartAt: "Price",
        States: {
          Price: { Type: "Pass", Output: { id: "{% $states.input.id %}", total: "{% $states.input.price * $states.input.qty %}" }, Next: "Large?" },
          "Large?": { Type: "Choice", Choices: [{ Condition: "{% $states.input.total > 500 %}", Next: "Large" }], Default: "Small" },
          Large: { Type: "Pass", Output: { id: "{% $states.input.id %}", size: "large" }, End: true },
          Small: { Type: "Pass", Output: { id: "{% $states.input.id %}", size: "small" }, End: true },
        },
      },
      End: true,
    },
  },
};

const items = Array.from({ length: ITEMS }, (_, i) => ({ id: `item-${i}`, price: (i % 50) + 1, qty: (i % 20) + 1 }));
const input = { items };

const context: ContextObject = {
  Execution: { Id: "arn:aws:states:us-east-1:123456789012:execution:Bench:run", Name: "run", StartTime: new Date().toISOString(), RoleArn: "arn:aws:iam::123456789012:role/Bench", Input: input, RedriveCount: 0 },
  StateMachine: { Id: "arn:aws:states:us-east-1:123456789012:stateMachine:Bench", Name: "Bench" },
};

/** State transitions = states entered: the Map plus three per iteration. */
async function oneExecution(): Promise<{ transitions: number; events: number }> {
  let transitions = 0;
  let events = 0;
  const result = await runExecution({
    definition,
    input,
    context,
    clock: realClock,
    invokeTask: async () => null,
    onHistoryEvent: (event: HistoryEvent) => {
      events += 1;
      if (event.type.endsWith("StateEntered")) transitions += 1;
    },
    signal: new AbortController().signal,
  });
  if (result.status !== "SUCCEEDED") throw new Error(`bench execution ${result.status}: ${result.error} ${result.cause}`);
  return { transitions, events };
}

/** The same work as plain JavaScript: compute, compare, shape, serialise the item as history would. */
function plainLoop(): unknown[] {
  return items.map((item) => {
    const priced = { id: item.id, total: item.price * item.qty };
    const out = { id: priced.id, size: priced.total > 500 ? "large" : "small" };
    JSON.stringify(item);
    JSON.stringify(priced);
    JSON.stringify(out);
    return out;
  });
}

/**
 * `npm run bench`: state transitions per second of the interpreter on a 1,000-item Map (each
 * iteration Pass → Choice → Pass, every JSONata expression evaluated, every history event built),
 * against a plain JavaScript loop doing the item arithmetic and serialisation.
 */
export async function benchInterpreter(): Promise<void> {
  const { transitions, events } = await oneExecution();
  const executions = await opsPerSecond(oneExecution, 3000);
  const loops = await opsPerSecond(plainLoop, 1000);
  console.log(`\nStep Functions interpreter (inline Map of ${format(ITEMS)} items, Pass → Choice → Pass)`);
  console.log(`  ${format(transitions)} state transitions, ${format(events)} history events per execution`);
  console.log(`  interpreter   ${format(executions * transitions)} state transitions/s   (${format(1000 / executions, 1)} ms per execution)`);
  console.log(`  plain JS loop ${format(loops * transitions)} item-steps/s   ratio ${format(executions / loops, 4)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchInterpreter();
