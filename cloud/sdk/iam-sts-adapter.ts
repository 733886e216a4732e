import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  RemoveRoleFromInstanceProfileCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CloudError, type IamPort, type StsPort } from "../ports.ts";
import { clientConfig, fromTagList, mapSdkError, toTagList, type SdkOptions } from "./client-options.ts";

// The IAM port over a real SDK v3 client (IAM is global: the home region's client).
export function createIamAdapter(options: SdkOptions): IamPort {
  const iam = new IAMClient(clientConfig(options, options.region));
  const send = <T>(command: unknown) => mapSdkError(() => iam.send(command as never) as Promise<T>);
  const ignoreMissing = async (call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (error) {
      if (!(error instanceof CloudError && error.code === "NoSuchEntity")) throw error;
    }
  };
  return {
    async createRole(input) {
      const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: input.trustService }, Action: "sts:AssumeRole" }] };
      await send(
        new CreateRoleCommand({ RoleName: input.name, Path: input.path, AssumeRolePolicyDocument: JSON.stringify(trust), Tags: toTagList(input.tags) }),
      );
    },
    async attachRolePolicy(roleName, policyArn) {
      await send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
    },
    async createInstanceProfile(input) {
      await send(new CreateInstanceProfileCommand({ InstanceProfileName: input.name, Path: input.path, Tags: toTagList(input.tags) }));
      await send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: input.name, RoleName: input.roleName }));
    },
    async deleteInstanceProfile(name, roleName) {
      await ignoreMissing(() => send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: name, RoleName: roleName })));
      await ignoreMissing(() => send(new DeleteInstanceProfileCommand({ InstanceProfileName: name })));
    },
    // IAM deletes no role that still has a policy: managed ones are detached, inline ones deleted. rtcgw gives its roles no
    // inline policy any more, but a role left by an older build (inline `rtcgw-command-output`) must still be removable.
    async deleteRole(name) {
      await ignoreMissing(async () => {
        const attached = await send<{ AttachedPolicies?: { PolicyArn?: string }[] }>(new ListAttachedRolePoliciesCommand({ RoleName: name }));
        for (const p of attached.AttachedPolicies ?? []) await send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: p.PolicyArn }));
        for (;;) {
          // the first page again after each round of deletions, until there is none left
          const inline = (await send<{ PolicyNames?: string[] }>(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames ?? [];
          if (!inline.length) break;
          for (const policy of inline) await ignoreMissing(() => send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policy })));
        }
        await send(new DeleteRoleCommand({ RoleName: name }));
      });
    },
    async listRoles(pathPrefix) {
      const out = await send<{ Roles?: { RoleName?: string }[] }>(new ListRolesCommand({ PathPrefix: pathPrefix }));
      const roles = [];
      for (const r of out.Roles ?? []) {
        const tags = await send<{ Tags?: { Key?: string; Value?: string }[] }>(new ListRoleTagsCommand({ RoleName: r.RoleName }));
        roles.push({ name: r.RoleName ?? "", tags: fromTagList(tags.Tags) });
      }
      return roles;
    },
  };
}

// The STS port over a real SDK v3 client.
export function createStsAdapter(options: SdkOptions): StsPort {
  const sts = new STSClient(clientConfig(options, options.region));
  return {
    async getCallerIdentity() {
      const out = await mapSdkError(() => sts.send(new GetCallerIdentityCommand({})));
      return { account: out.Account ?? "", arn: out.Arn ?? "" };
    },
  };
}
