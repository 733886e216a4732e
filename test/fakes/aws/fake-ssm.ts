import { CloudError, type CommandInvocation, type SsmPort } from "../../../cloud/ports.ts";
import { instanceHasSsmAgent } from "./fake-cloud-init.ts";
import { instanceState } from "./fake-ec2.ts";
import { checkPresignedPut } from "./fake-s3.ts";
import type { FakeCommand, FakeContext } from "./fake-state.ts";

const apiOutputLimit = 24_000;

// The URL a script uploads its log to: the one after `curl … -T <file>`, single-quoted as ssm-scripts.ts quotes it.
export function logUploadUrlOf(script: string): string | undefined {
  const quoted = /\bcurl [^\n]*-T \S+ '((?:[^']|'\\'')*)'/.exec(script)?.[1];
  return quoted?.replaceAll("'\\''", "'");
}

// The SSM port of the fake cloud: agent registration (only where an agent is installed), Run Command (provision and
// smoke scripts) and Parameter Store.
export function createFakeSsm(ctx: FakeContext): SsmPort {
  const { state, faults, timings, clock } = ctx;
  const managed = (region: string, instanceId: string) => {
    const i = state.instances.find((x) => x.region === region && x.instanceId === instanceId);
    return (
      !!i &&
      instanceState(ctx, i) === "running" &&
      instanceHasSsmAgent(ctx, i) &&
      clock.now() >= i.launchedAt + timings.instanceBootMs + timings.ssmRegisterMs + faults.ssmAgentDelayMs
    );
  };
  const objectExists = (url: string) => {
    const match = /^https:\/\/([^.]+)\.s3\.[^/]+\/([^?]+)/.exec(url) ?? /^http:\/\/127\.0\.0\.1:\d+\/([^/?]+)\/([^?]+)/.exec(url);
    return !!match && !!state.buckets.get(match[1]!)?.objects.has(decodeURIComponent(match[2]!));
  };
  // As its script exits, the command uploads its whole output to the presigned PUT URL it carries (renderLogCapture): the
  // object appears only if S3 would take that URL then (signature intact, not expired, the bucket there). Otherwise the
  // command still ends as it would have, with no log, as on EC2 (the upload never fails the script).
  const settle = (command: FakeCommand) => {
    if (clock.now() < command.endsAt || command.cancelled) return;
    const instance = state.instances.find((i) => i.instanceId === command.instanceId);
    if (command.logUploaded === undefined) {
      const target = command.logUploadUrl ? checkPresignedPut(ctx, command.logUploadUrl, command.endsAt) : undefined;
      command.logUploaded = !!target?.ok;
      if (target?.ok) {
        const bucket = state.buckets.get(target.bucket)!;
        bucket.objects.set(target.key, new TextEncoder().encode(command.output));
        bucket.writtenAt.set(target.key, command.endsAt);
        command.logKey = target.key;
      }
    }
    if (instance && command.kind === "provision" && command.ok) {
      instance.provisioned = true;
      if (command.armsSeal) instance.sealArmed = true;
    }
  };
  return {
    async isInstanceManaged(region, instanceId) {
      ctx.enter("DescribeInstanceInformation", region);
      return managed(region, instanceId);
    },
    async sendShellCommand(region, input) {
      ctx.enter("SendCommand", region);
      if (!managed(region, input.instanceId)) throw new CloudError("InvalidInstanceId", `Instance ${input.instanceId} is not in a valid state for SSM`);
      const instance = state.instances.find((i) => i.instanceId === input.instanceId)!;
      const script = input.commands.join("\n");
      const kind = input.comment.startsWith("rtcgw provision") ? "provision" : input.comment.startsWith("rtcgw smoke") ? "smoke" : "other";
      const image = state.images.find((i) => i.imageId === instance.imageId);
      let ok = true;
      let tail = "done";
      if (kind === "provision") {
        const urls = script.match(/https?:\/\/[^\s'"]+/g) ?? [];
        if (!urls.some(objectExists)) [ok, tail] = [false, "curl: (22) The requested URL returned error: 403 (bundle not found)"];
        else if (faults.provisionFails) [ok, tail] = [false, "provision.sh: step 'install packages' failed: E: Unable to locate package kamailio-nonexistent"];
      }
      if (kind === "smoke") {
        if (!instance.provisioned) [ok, tail] = [false, "smoke: kamailio.service is not active"];
        else if (!image?.sealed) [ok, tail] = [false, "smoke: /var/lib/amazon/ssm/i-…: SSM agent state of another instance (the builder) is in the image"];
        else if (!image?.imdsV2) [ok, tail] = [false, "smoke: IMDSv1 still answers"];
        else if (faults.smokeFails) [ok, tail] = [false, "smoke: SIP OPTIONS to 127.0.0.1:5060 got no answer"];
      }
      const log = Array.from({ length: 600 }, (_, n) => `Get:${n} http://deb.debian.org/debian trixie/main amd64 package-${n} [${1000 + n} kB]`).join("\n");
      const commandId = ctx.nextId("cmd");
      state.commands.push({
        commandId,
        region,
        instanceId: input.instanceId,
        kind,
        startedAt: clock.now(),
        ok,
        cancelled: false,
        armsSeal: kind === "provision" && /^systemctl start rtcgw-seal\.service$/m.test(script),
        endsAt: clock.now() + (kind === "smoke" ? timings.smokeMs : kind === "provision" ? timings.provisionMs : 1000),
        output: `${kind === "provision" ? log : "checks"}\n${tail}\n`,
        ...(logUploadUrlOf(script) ? { logUploadUrl: logUploadUrlOf(script)! } : {}),
      });
      return commandId;
    },
    async getCommandInvocation(region, commandId, instanceId): Promise<CommandInvocation> {
      ctx.enter("GetCommandInvocation", region);
      const command = state.commands.find((c) => c.commandId === commandId && c.instanceId === instanceId);
      if (!command || clock.now() < command.startedAt + 500) throw new CloudError("InvocationDoesNotExist", "An error occurred (InvocationDoesNotExist)");
      settle(command);
      if (command.cancelled) return { status: "Cancelled", exitCode: -1, stdout: "", stderr: "" };
      if (clock.now() < command.endsAt) return { status: "InProgress", exitCode: -1, stdout: "", stderr: "" };
      return { status: command.ok ? "Success" : "Failed", exitCode: command.ok ? 0 : 1, stdout: command.output.slice(0, apiOutputLimit), stderr: "" };
    },
    async cancelCommand(region, commandId) {
      ctx.enter("CancelCommand", region);
      const command = state.commands.find((c) => c.commandId === commandId);
      if (command && clock.now() < command.endsAt) command.cancelled = true;
    },
    async getParameter(region, name) {
      ctx.enter("GetParameter", region);
      return state.parameters.get(`${region}:${name}`)?.value;
    },
    async putParameter(region, input) {
      ctx.enter("PutParameter", region);
      if (input.dataType === "aws:ec2:image" && !state.images.some((i) => i.region === region && i.imageId === input.value && !i.deregistered)) {
        throw new CloudError("InvalidParameter", `${input.value} is not an image in ${region}`);
      }
      const old = state.parameters.get(`${region}:${input.name}`);
      state.parameters.set(`${region}:${input.name}`, { value: input.value, dataType: input.dataType, version: (old?.version ?? 0) + 1 });
    },
  };
}
