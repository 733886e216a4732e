// How the fake cloud decides what an instance's role lets it do (the SSM agent's output upload to S3): the inline
// policies of the role behind the instance's profile, evaluated as IAM does for Action and Resource (wildcards `*`
// and `?`, an explicit Deny wins). Managed policies grant nothing here: AmazonSSMManagedInstanceCore, the one rtcgw
// attaches, has no s3:PutObject. A statement with a condition is not evaluated and never applies (the policy rtcgw writes for its role has none).
import type { FakeContext, FakeInstance } from "./fake-state.ts";

type Statement = { Effect?: string; Action?: unknown; Resource?: unknown; Condition?: unknown };
const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);
const glob = (pattern: string, text: string, ignoreCase = false) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, ignoreCase ? "i" : "").test(text);

// Whether the documents allow the action on the resource (pure).
export function policiesAllow(documents: readonly string[], action: string, resource: string): boolean {
  const statements = documents.flatMap((d): Statement[] => {
    const listed = (JSON.parse(d) as { Statement?: Statement | Statement[] }).Statement;
    return Array.isArray(listed) ? listed : listed ? [listed] : [];
  });
  const applies = (s: Statement) => !s.Condition && asList(s.Action).some((a) => glob(a, action, true)) && asList(s.Resource).some((r) => glob(r, resource));
  return statements.some((s) => s.Effect === "Allow" && applies(s)) && !statements.some((s) => s.Effect === "Deny" && applies(s));
}

// Whether the role of the instance's profile (as it is now) allows the action on the resource.
export function instanceRoleAllows(ctx: FakeContext, instance: FakeInstance, action: string, resource: string): boolean {
  const profile = ctx.state.profiles.find((p) => p.name === instance.profile && !p.deleted);
  const role = profile?.roleName ? ctx.state.roles.find((r) => r.name === profile.roleName && !r.deleted) : undefined;
  return !!role && policiesAllow(Object.values(role.inlinePolicies), action, resource);
}
