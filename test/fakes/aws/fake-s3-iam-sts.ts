import { CloudError, type IamPort, type StsPort } from "../../../cloud/ports.ts";
import type { FakeContext } from "./fake-state.ts";

// The IAM port of the fake cloud.
export function createFakeIam(ctx: FakeContext): IamPort {
  const { state } = ctx;
  const liveRole = (name: string) => state.roles.find((r) => r.name === name && !r.deleted);
  return {
    async createRole(input) {
      ctx.enter("CreateRole", "global");
      if (liveRole(input.name)) throw new CloudError("EntityAlreadyExists", `Role with name ${input.name} already exists.`);
      state.roles.push({ name: input.name, path: input.path, tags: { ...input.tags }, policies: [], inlinePolicies: {}, deleted: false });
    },
    async attachRolePolicy(roleName, policyArn) {
      ctx.enter("AttachRolePolicy", "global");
      const role = liveRole(roleName);
      if (!role) throw new CloudError("NoSuchEntity", `The role with name ${roleName} cannot be found.`);
      role.policies.push(policyArn);
    },
    async createInstanceProfile(input) {
      ctx.enter("CreateInstanceProfile", "global");
      if (state.profiles.some((p) => p.name === input.name && !p.deleted))
        throw new CloudError("EntityAlreadyExists", `Instance Profile ${input.name} already exists.`);
      if (!liveRole(input.roleName)) throw new CloudError("NoSuchEntity", `The role with name ${input.roleName} cannot be found.`);
      state.profiles.push({
        name: input.name,
        path: input.path,
        roleName: input.roleName,
        tags: { ...input.tags },
        deleted: false,
        createdAt: ctx.clock.now(),
      });
    },
    async deleteInstanceProfile(name) {
      ctx.enter("DeleteInstanceProfile", "global");
      const profile = state.profiles.find((p) => p.name === name && !p.deleted);
      if (profile) [profile.roleName, profile.deleted] = [undefined, true];
    },
    async deleteRole(name) {
      ctx.enter("DeleteRole", "global");
      const role = liveRole(name);
      if (!role) return;
      if (state.profiles.some((p) => p.roleName === name && !p.deleted))
        throw new CloudError("DeleteConflict", `Cannot delete entity, must remove roles from instance profile first.`);
      // Managed policies are detached and inline ones deleted first, as the SDK adapter does.
      [role.policies, role.inlinePolicies, role.deleted] = [[], {}, true];
    },
    async listRoles(pathPrefix) {
      ctx.enter("ListRoles", "global");
      return state.roles.filter((r) => !r.deleted && r.path.startsWith(pathPrefix)).map((r) => ({ name: r.name, tags: { ...r.tags } }));
    },
  };
}

// The STS port of the fake cloud.
export function createFakeSts(ctx: FakeContext): StsPort {
  return {
    async getCallerIdentity() {
      ctx.enter("GetCallerIdentity", "global");
      return { account: ctx.state.accountId, arn: `arn:aws:iam::${ctx.state.accountId}:user/builder` };
    },
  };
}
