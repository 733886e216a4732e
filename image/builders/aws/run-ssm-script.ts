import type { CloudPorts, CommandInvocation } from "../../../regions/cloud/ports.ts";
import { callWithRetry } from "../../../regions/cloud/retry.ts";
import { waitFor } from "../../../regions/cloud/wait.ts";
import { recordTemporary, markDeleted, type JournalFile } from "../../../regions/journal.ts";

/** A finished Run Command: its status and the tail of its output. */
export interface ScriptOutcome {
  ok: boolean;
  status: CommandInvocation["status"];
  /** The last lines of the full output when the instance uploaded it to S3, else of the API's first 24,000 characters. */
  tail: string;
  /** `s3://…/` of the full output; absent when the instance did not upload it (its role may not write there). */
  logUri?: string;
}

/** Where a script runs and where its output goes. */
export interface RunScriptInput {
  region: string;
  instanceId: string;
  commands: string[];
  comment: string;
  outputBucket: string;
  outputKeyPrefix: string;
  budgetMs: number;
}

// Runs a shell script through SSM `AWS-RunShellScript`, full output to S3, and waits for it inside a time budget.
export async function runSsmScript(input: RunScriptInput, ports: CloudPorts, journal: JournalFile, signal?: AbortSignal): Promise<ScriptOutcome> {
  const { region, instanceId } = input;
  const retry = <T>(fn: () => Promise<T>, retryCodes: string[] = []) => callWithRetry(fn, { clock: ports.clock, signal, retryCodes });
  const commandId = await retry(() => ports.ssm.sendShellCommand(region, {
    instanceId, commands: input.commands, comment: input.comment, timeoutSeconds: Math.ceil(input.budgetMs / 1000), outputBucket: input.outputBucket, outputKeyPrefix: input.outputKeyPrefix,
  }), ["InvalidInstanceId"]);
  recordTemporary(journal, { kind: "command", region, id: commandId });
  const done = await waitFor(async () => {
    const invocation = await retry(() => ports.ssm.getCommandInvocation(region, commandId, instanceId), ["InvocationDoesNotExist"]);
    return ["Pending", "InProgress", "Delayed", "Cancelling"].includes(invocation.status) ? undefined : invocation;
  }, { clock: ports.clock, what: input.comment, budgetMs: input.budgetMs, intervalMs: 15_000, signal });
  markDeleted(journal, "command", commandId);
  const full = await readFullOutput(input, commandId, ports).catch(() => undefined);
  const text = full?.text ?? `${done.stdout}\n${done.stderr}`;
  return { ok: done.status === "Success", status: done.status, tail: text.trimEnd().split("\n").slice(-40).join("\n"), ...(full ? { logUri: full.uri } : {}) };
}

// Where the log of a finished script is, for a failure message (pure): its S3 location only when it is there.
export function describeLog(outcome: Pick<ScriptOutcome, "logUri">): string {
  return outcome.logUri
    ? `full log: ${outcome.logUri}`
    : "no full log in S3 (the instance could not upload it): the lines below, from the first 24,000 characters the Run Command API returns, are all there is";
}

async function readFullOutput(input: RunScriptInput, commandId: string, ports: CloudPorts): Promise<{ text: string; uri: string } | undefined> {
  const prefix = `${input.outputKeyPrefix}/${commandId}/`;
  const keys = await ports.s3.listObjects(input.region, input.outputBucket, prefix);
  const parts = [];
  for (const key of keys.filter((k) => /\/(stdout|stderr)$/.test(k)).sort()) {
    const body = await ports.s3.getObject(input.region, input.outputBucket, key);
    if (body) parts.push(Buffer.from(body).toString("utf8"));
  }
  return parts.length ? { text: parts.join("\n"), uri: `s3://${input.outputBucket}/${prefix}` } : undefined;
}
