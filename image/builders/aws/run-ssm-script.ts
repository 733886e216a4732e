import type { CommandInvocation } from "../../../cloud/ports.ts";
import type { CloudRun } from "../../../cloud/cloud-run.ts";
import { waitFor } from "../../../cloud/wait.ts";
import { recordTemporary, markDeleted, type JournalFile } from "../../../cloud/journal.ts";

/** A finished Run Command: its status and the tail of its output. */
export interface ScriptOutcome {
  ok: boolean;
  status: CommandInvocation["status"];
  /** The last lines of the full log when the script uploaded it, else of the API's first 24,000 characters. */
  tail: string;
  /** `s3://<bucket>/<key>` of the full log; absent when the script did not upload it (its presigned URL was refused or expired, or the instance had no way out). */
  logUri?: string;
}

/** Where a script runs and where its script uploads its log (the commands carry a presigned PUT URL for `log`). */
export interface RunScriptInput {
  region: string;
  instanceId: string;
  commands: string[];
  comment: string;
  log: { bucket: string; key: string };
  budgetMs: number;
}

/** Where a build's command logs go in the staging bucket: `logs/<build id>/<name>.log`. */
export function logKeyFor(buildId: string, name: "provision" | "smoke"): string {
  return `logs/${buildId}/${name}.log`;
}

// How long a log's presigned PUT URL lives: the command's budget, plus the time to start it and to upload (pure).
export function logUrlExpirySeconds(budgetMs: number): number {
  return Math.ceil(budgetMs / 1000) + 15 * 60;
}

// Runs a shell script through SSM `AWS-RunShellScript` and waits for it inside a time budget; the full output is the log the
// script uploaded itself (renderLogCapture in ssm-scripts.ts), read back through the operator's own S3 access.
export async function runSsmScript(input: RunScriptInput, run: CloudRun, journal: JournalFile): Promise<ScriptOutcome> {
  const { ports, signal, withRetry } = run;
  const { region, instanceId } = input;
  // A log from an earlier attempt of the same build must not pass for this command's.
  await withRetry(() => ports.s3.deleteObject(region, input.log.bucket, input.log.key));
  const commandId = await withRetry(
    () =>
      ports.ssm.sendShellCommand(region, { instanceId, commands: input.commands, comment: input.comment, timeoutSeconds: Math.ceil(input.budgetMs / 1000) }),
    { retryCodes: ["InvalidInstanceId"] },
  );
  recordTemporary(journal, { kind: "command", region, id: commandId });
  const done = await waitFor(
    async () => {
      const invocation = await withRetry(() => ports.ssm.getCommandInvocation(region, commandId, instanceId), { retryCodes: ["InvocationDoesNotExist"] });
      return ["Pending", "InProgress", "Delayed", "Cancelling"].includes(invocation.status) ? undefined : invocation;
    },
    { clock: ports.clock, what: input.comment, budgetMs: input.budgetMs, intervalMs: 15_000, signal },
  );
  markDeleted(journal, "command", commandId);
  const body = await withRetry(() => ports.s3.getObject(region, input.log.bucket, input.log.key)).catch(() => undefined);
  const text = body ? Buffer.from(body).toString("utf8") : `${done.stdout}\n${done.stderr}`;
  return {
    ok: done.status === "Success",
    status: done.status,
    tail: text.trimEnd().split("\n").slice(-40).join("\n"),
    ...(body ? { logUri: `s3://${input.log.bucket}/${input.log.key}` } : {}),
  };
}

// Where the log of a finished script is, for a failure message (pure): its S3 location only when it is there.
export function describeLog(outcome: Pick<ScriptOutcome, "logUri">): string {
  return outcome.logUri
    ? `full log: ${outcome.logUri}`
    : "no full log in S3 (the instance did not upload it): the lines below, from the first 24,000 characters the Run Command API returns, are all there is";
}
