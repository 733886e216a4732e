// SSM JSON 1.1 actions of the fake endpoint, mapped onto the fake cloud's SSM port.
import { CloudError } from "../../../cloud/ports.ts";
import type { FakeCloud } from "./create-fake-cloud.ts";

type Json = Record<string, unknown>;

// Answers one SSM action (a JSON document), or undefined when the endpoint does not implement it.
export async function handleSsm(cloud: FakeCloud, action: string, region: string, input: Json): Promise<string | undefined> {
  const { ssm } = cloud.ports;
  if (action === "GetParameter") {
    const value = await ssm.getParameter(region, String(input.Name));
    if (value === undefined) throw new CloudError("ParameterNotFound", `Parameter ${input.Name} not found`);
    const stored = cloud.state.parameters.get(`${region}:${input.Name}`)!;
    return JSON.stringify({
      Parameter: {
        Name: input.Name,
        Type: "String",
        Value: value,
        Version: stored.version,
        DataType: stored.dataType,
        LastModifiedDate: cloud.clock.now() / 1000,
      },
    });
  }
  if (action === "PutParameter") {
    await ssm.putParameter(region, {
      name: String(input.Name),
      value: String(input.Value),
      dataType: (input.DataType as "text" | "aws:ec2:image") ?? "text",
      tags: {},
    });
    return JSON.stringify({ Version: cloud.state.parameters.get(`${region}:${input.Name}`)!.version, Tier: "Standard" });
  }
  if (action === "DescribeInstanceInformation") {
    const filters = (input.Filters ?? []) as { Key: string; Values: string[] }[];
    const ids = filters.find((f) => f.Key === "InstanceIds")?.Values ?? [];
    const online = [];
    for (const id of ids)
      if (await ssm.isInstanceManaged(region, id))
        online.push({ InstanceId: id, PingStatus: "Online", LastPingDateTime: cloud.clock.now() / 1000, PlatformType: "Linux" });
    return JSON.stringify({ InstanceInformationList: online });
  }
  if (action === "SendCommand") {
    if (input.DocumentName !== "AWS-RunShellScript")
      throw new CloudError("InvalidDocument", `the fake runs AWS-RunShellScript only, not ${input.DocumentName}`);
    const instanceIds = (input.InstanceIds ?? []) as string[];
    const parameters = (input.Parameters ?? {}) as Record<string, string[]>;
    if (instanceIds.length !== 1 || !Array.isArray(parameters.commands))
      throw new CloudError("ValidationException", "expected one instance id and Parameters.commands");
    const commandId = await ssm.sendShellCommand(region, {
      instanceId: instanceIds[0]!,
      commands: parameters.commands,
      comment: String(input.Comment ?? ""),
      timeoutSeconds: Number(input.TimeoutSeconds ?? 3600),
    });
    return JSON.stringify({
      Command: {
        CommandId: commandId,
        DocumentName: input.DocumentName,
        InstanceIds: instanceIds,
        Status: "Pending",
        RequestedDateTime: cloud.clock.now() / 1000,
        Comment: input.Comment,
      },
    });
  }
  if (action === "GetCommandInvocation") {
    const out = await ssm.getCommandInvocation(region, String(input.CommandId), String(input.InstanceId));
    return JSON.stringify({
      CommandId: input.CommandId,
      InstanceId: input.InstanceId,
      DocumentName: "AWS-RunShellScript",
      Status: out.status,
      StatusDetails: out.status,
      ResponseCode: out.exitCode,
      StandardOutputContent: out.stdout,
      StandardErrorContent: out.stderr,
    });
  }
  if (action === "CancelCommand") {
    await ssm.cancelCommand(region, String(input.CommandId));
    return "{}";
  }
  return undefined;
}
