// IAM Query actions of the fake endpoint (form in, XML out), mapped onto the fake cloud's IAM port.
import { CloudError } from "../../../cloud/ports.ts";
import type { FakeCloud } from "./create-fake-cloud.ts";
import { listOf, xmlEscape } from "./protocol-codecs.ts";

type Form = Record<string, unknown>;

const respond = (action: string, result = "") =>
  `<${action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/">${result ? `<${action}Result>${result}</${action}Result>` : ""}<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></${action}Response>`;
const tagsOf = (input: Form) =>
  Object.fromEntries(listOf<{ Key: string; Value: string }>((input.Tags as Form | undefined)?.member).map((t) => [t.Key, t.Value]));

// Answers one IAM action, or undefined when the endpoint does not implement it. CreateInstanceProfile and
// AddRoleToInstanceProfile are one port call: the profile is held here until its role is added.
export function createIamHandler(cloud: FakeCloud) {
  const pendingProfiles = new Map<string, { path: string; tags: Record<string, string> }>();
  const { iam } = cloud.ports;
  return async (action: string, input: Form): Promise<string | undefined> => {
    const accountId = cloud.state.accountId;
    if (action === "CreateRole") {
      await iam.createRole({
        name: String(input.RoleName),
        path: String(input.Path ?? "/"),
        trustService: String(
          (JSON.parse(String(input.AssumeRolePolicyDocument)) as { Statement: { Principal: { Service: string } }[] }).Statement[0]!.Principal.Service,
        ),
        tags: tagsOf(input),
      });
      return respond(
        action,
        `<Role><Path>${xmlEscape(String(input.Path ?? "/"))}</Path><RoleName>${input.RoleName}</RoleName><RoleId>AROAFAKE</RoleId><Arn>arn:aws:iam::${accountId}:role${input.Path ?? "/"}${input.RoleName}</Arn><CreateDate>${new Date(cloud.clock.now()).toISOString()}</CreateDate></Role>`,
      );
    }
    if (action === "AttachRolePolicy") {
      await iam.attachRolePolicy(String(input.RoleName), String(input.PolicyArn));
      return respond(action);
    }
    if (action === "CreateInstanceProfile") {
      const name = String(input.InstanceProfileName);
      if (pendingProfiles.has(name) || cloud.state.profiles.some((p) => p.name === name && !p.deleted))
        throw new CloudError("EntityAlreadyExists", `Instance Profile ${name} already exists.`);
      pendingProfiles.set(name, { path: String(input.Path ?? "/"), tags: tagsOf(input) });
      return respond(
        action,
        `<InstanceProfile><InstanceProfileName>${name}</InstanceProfileName><InstanceProfileId>AIPAFAKE</InstanceProfileId><Path>${xmlEscape(String(input.Path ?? "/"))}</Path><Arn>arn:aws:iam::${accountId}:instance-profile/${name}</Arn><CreateDate>${new Date(cloud.clock.now()).toISOString()}</CreateDate><Roles/></InstanceProfile>`,
      );
    }
    if (action === "AddRoleToInstanceProfile") {
      const name = String(input.InstanceProfileName);
      const pending = pendingProfiles.get(name);
      if (!pending) throw new CloudError("NoSuchEntity", `Instance Profile ${name} cannot be found.`);
      await iam.createInstanceProfile({ name, path: pending.path, roleName: String(input.RoleName), tags: pending.tags });
      pendingProfiles.delete(name);
      return respond(action);
    }
    if (action === "RemoveRoleFromInstanceProfile") {
      if (!cloud.state.profiles.some((p) => p.name === input.InstanceProfileName && !p.deleted && p.roleName === input.RoleName))
        throw new CloudError("NoSuchEntity", `Instance Profile ${input.InstanceProfileName} has no role ${input.RoleName}.`);
      cloud.state.profiles.find((p) => p.name === input.InstanceProfileName && !p.deleted)!.roleName = undefined;
      return respond(action);
    }
    if (action === "DeleteInstanceProfile") {
      if (!cloud.state.profiles.some((p) => p.name === input.InstanceProfileName && !p.deleted))
        throw new CloudError("NoSuchEntity", `Instance Profile ${input.InstanceProfileName} cannot be found.`);
      await iam.deleteInstanceProfile(String(input.InstanceProfileName), "");
      return respond(action);
    }
    if (action === "ListAttachedRolePolicies") {
      const role = cloud.state.roles.find((r) => r.name === input.RoleName && !r.deleted);
      if (!role) throw new CloudError("NoSuchEntity", `The role with name ${input.RoleName} cannot be found.`);
      return respond(
        action,
        `<AttachedPolicies>${role.policies.map((p) => `<member><PolicyArn>${p}</PolicyArn><PolicyName>${p.split("/").pop()}</PolicyName></member>`).join("")}</AttachedPolicies><IsTruncated>false</IsTruncated>`,
      );
    }
    if (action === "DetachRolePolicy") {
      const role = cloud.state.roles.find((r) => r.name === input.RoleName && !r.deleted);
      if (!role?.policies.includes(String(input.PolicyArn)))
        throw new CloudError("NoSuchEntity", `Policy ${input.PolicyArn} is not attached to ${input.RoleName}.`);
      role.policies = role.policies.filter((p) => p !== input.PolicyArn);
      return respond(action);
    }
    if (action === "ListRolePolicies") {
      const role = cloud.state.roles.find((r) => r.name === input.RoleName && !r.deleted);
      if (!role) throw new CloudError("NoSuchEntity", `The role with name ${input.RoleName} cannot be found.`);
      const names = Object.keys(role.inlinePolicies).sort();
      return respond(action, `<PolicyNames>${names.map((n) => `<member>${xmlEscape(n)}</member>`).join("")}</PolicyNames><IsTruncated>false</IsTruncated>`);
    }
    if (action === "DeleteRolePolicy") {
      const role = cloud.state.roles.find((r) => r.name === input.RoleName && !r.deleted);
      if (!role || !(String(input.PolicyName) in role.inlinePolicies))
        throw new CloudError("NoSuchEntity", `The role policy with name ${input.PolicyName} cannot be found.`);
      delete role.inlinePolicies[String(input.PolicyName)];
      return respond(action);
    }
    if (action === "ListRoles") {
      const roles = await iam.listRoles(String(input.PathPrefix ?? "/"));
      const members = roles.map((r) => {
        const role = cloud.state.roles.find((x) => x.name === r.name && !x.deleted)!;
        return `<member><Path>${xmlEscape(role.path)}</Path><RoleName>${xmlEscape(r.name)}</RoleName><RoleId>AROAFAKE</RoleId><Arn>arn:aws:iam::${accountId}:role${role.path}${r.name}</Arn><CreateDate>${new Date(0).toISOString()}</CreateDate></member>`;
      });
      return respond(action, `<Roles>${members.join("")}</Roles><IsTruncated>false</IsTruncated>`);
    }
    if (action === "ListRoleTags") {
      const role = cloud.state.roles.find((r) => r.name === input.RoleName && !r.deleted);
      if (!role) throw new CloudError("NoSuchEntity", `The role with name ${input.RoleName} cannot be found.`);
      return respond(
        action,
        `<Tags>${Object.entries(role.tags)
          .map(([k, v]) => `<member><Key>${xmlEscape(k)}</Key><Value>${xmlEscape(v)}</Value></member>`)
          .join("")}</Tags><IsTruncated>false</IsTruncated>`,
      );
    }
    if (action === "DeleteRole") {
      const role = cloud.state.roles.find((r) => r.name === input.RoleName && !r.deleted);
      if (!role) throw new CloudError("NoSuchEntity", `The role with name ${input.RoleName} cannot be found.`);
      // IAM deletes no role that still has a managed policy attached or an inline policy (the port's deleteRole stands for the
      // adapter, which removes them first).
      if (role.policies.length) throw new CloudError("DeleteConflict", "Cannot delete entity, must detach all policies first.");
      if (Object.keys(role.inlinePolicies).length) throw new CloudError("DeleteConflict", "Cannot delete entity, must delete policies first.");
      await iam.deleteRole(String(input.RoleName));
      return respond(action);
    }
    return undefined;
  };
}
