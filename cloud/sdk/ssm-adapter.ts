import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  GetParameterCommand,
  PutParameterCommand,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { CloudError, type CommandInvocation, type SsmPort } from "../ports.ts";
import { clientConfig, mapSdkError, perRegion, type SdkOptions } from "./client-options.ts";

// The SSM port (Run Command, Parameter Store) over real SDK v3 clients.
export function createSsmAdapter(options: SdkOptions): SsmPort {
  const ssm = perRegion((region) => new SSMClient(clientConfig(options, region)));
  const send = <T>(region: string, command: unknown) => mapSdkError(() => ssm(region).send(command as never) as Promise<T>);
  return {
    async isInstanceManaged(region, instanceId) {
      const out = await send<{ InstanceInformationList?: { PingStatus?: string }[] }>(
        region,
        new DescribeInstanceInformationCommand({ Filters: [{ Key: "InstanceIds", Values: [instanceId] }] }),
      );
      return (out.InstanceInformationList ?? []).some((i) => i.PingStatus === "Online");
    },
    async sendShellCommand(region, input) {
      const out = await send<{ Command?: { CommandId?: string } }>(
        region,
        new SendCommandCommand({
          DocumentName: "AWS-RunShellScript",
          InstanceIds: [input.instanceId],
          Comment: input.comment.slice(0, 100),
          TimeoutSeconds: input.timeoutSeconds,
          Parameters: { commands: input.commands, executionTimeout: [String(input.timeoutSeconds)] },
        }),
      );
      return out.Command?.CommandId ?? "";
    },
    async getCommandInvocation(region, commandId, instanceId) {
      const out = await send<{ Status?: string; ResponseCode?: number; StandardOutputContent?: string; StandardErrorContent?: string }>(
        region,
        new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
      );
      return {
        status: (out.Status ?? "Pending") as CommandInvocation["status"],
        exitCode: out.ResponseCode ?? -1,
        stdout: out.StandardOutputContent ?? "",
        stderr: out.StandardErrorContent ?? "",
      };
    },
    async cancelCommand(region, commandId) {
      await send(region, new CancelCommandCommand({ CommandId: commandId }));
    },
    async getParameter(region, name) {
      try {
        const out = await send<{ Parameter?: { Value?: string } }>(region, new GetParameterCommand({ Name: name }));
        return out.Parameter?.Value;
      } catch (error) {
        if (error instanceof CloudError && error.code === "ParameterNotFound") return undefined;
        throw error;
      }
    },
    async putParameter(region, input) {
      await send(region, new PutParameterCommand({ Name: input.name, Value: input.value, Type: "String", DataType: input.dataType, Overwrite: true }));
    },
  };
}
