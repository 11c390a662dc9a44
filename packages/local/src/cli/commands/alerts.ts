import { join, resolve } from "node:path";
import { parseCommand } from "../subcommand-args.ts";
// The reader alone, not the whole service: the command starts faster without it.
import { formatAlerts, parseSince, readAlerts } from "../../sns/alerts.ts";
import { AlertQueryError } from "../../sns/errors.ts";

export const summary = "show the alerts the local SNS topics received (newest last)";

const USAGE = `usage: freshet alerts [--topic <name>]... [--since <ISO time | 30s | 15m | 2h | 7d>] [--json]

Prints the messages published to the local SNS topics (MarketingAlerts, OpsAlerts, …), oldest
first: time, topic, subject, first line of the message. --json prints each message as one JSON
line instead (messageId, topicArn, topic, subject, message, attributes, timestamp).

It reads the topics' sink files, <data dir>/sns/<topic>.ndjson, where the local SNS service
appends every message; the data dir is FRESHET_DATA_DIR (default .freshet). This is the local view
only: against AWS, subscribe an email address, or a Slack channel through AWS Chatbot or a
webhook, to the deployed topics (aws sns subscribe --topic-arn <arn> --protocol email
--notification-endpoint <address>).`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand<{ topic?: string[]; since?: string; json?: boolean }>(
    args,
    { topic: { type: "string", multiple: true }, since: { type: "string" }, json: { type: "boolean" } },
    USAGE,
  );
  if ("exitCode" in parsed) return parsed.exitCode;
  const { values } = parsed;
  let since: Date | undefined;
  try {
    since = values.since === undefined ? undefined : parseSince(values.since, Date.now());
  } catch (error) {
    if (!(error instanceof AlertQueryError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }

  const snsDir = join(resolve(process.env.FRESHET_DATA_DIR ?? ".freshet"), "sns");
  const { alerts, unreadableLines } = await readAlerts(snsDir, { topics: values.topic, since });
  if (unreadableLines > 0) process.stderr.write(`skipped ${unreadableLines} unreadable line(s) in ${snsDir}\n`);
  if (alerts.length === 0) {
    process.stderr.write(`no alerts in ${snsDir}${values.topic || since ? " matching the filters" : ""}\n`);
    return 0;
  }
  const lines = values.json ? alerts.map((a) => JSON.stringify(a)) : formatAlerts(alerts);
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
