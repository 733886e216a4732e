// The IAM principals of the AWS tests, with the policies the project documents: the operator's from docs/AWS-PERMISSIONS.md
// (the doc is the one home of that policy: it is parsed from there) and the appliance's from the templates' instance role
// (regions/artifacts/instance-role-policy.ts), resolved for one stack's region and account.
import { readFileSync } from "node:fs";
import type { Recipe } from "../../dsl/resolve.ts";
import { renderInstanceRolePolicy } from "../../regions/artifacts/instance-role-policy.ts";
import type { FakePrincipal } from "../fakes/aws/iam-authorizer.ts";

/** An identity policy document. */
export interface PolicyDocument {
  Version: string;
  Statement: { Sid: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown }[];
}

/** Access keys the tests sign with, one per principal. */
export const accessKeys = { operator: "AKIAOPERATOR0000FAKE", appliance: "ASIAAPPLIANCE000FAKE" } as const;

// The ```json block after `<!-- policy: NAME -->` in docs/AWS-PERMISSIONS.md.
export function readDocumentedPolicy(name: "operator" | "appliance"): PolicyDocument {
  const doc = readFileSync(new URL("../../docs/AWS-PERMISSIONS.md", import.meta.url), "utf8");
  const blocks = [...doc.matchAll(/<!-- policy: ([a-z]+) -->\n```json\n([\s\S]*?)\n```/g)].filter((b) => b[1] === name);
  if (blocks.length !== 1) throw new Error(`docs/AWS-PERMISSIONS.md must hold exactly one \`<!-- policy: ${name} -->\` json block`);
  return JSON.parse(blocks[0]![2]!) as PolicyDocument;
}

// The operator (the fake STS's caller) with the documented policy, or the policy given.
export function operatorPrincipal(policy: PolicyDocument = readDocumentedPolicy("operator")): FakePrincipal {
  return { arn: "arn:aws:iam::111122223333:user/builder", policies: [{ name: "rtcgw-operator", policy }] };
}

// Replaces the templates' Fn::Sub with the stack's partition, region and account.
function resolveSub(value: unknown, region: string, account: string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveSub(v, region, account));
  if (typeof value !== "object" || value === null) return value;
  const sub = (value as Record<string, unknown>)["Fn::Sub"];
  if (typeof sub === "string")
    return sub
      .replace(/\$\{AWS::Partition\}/g, "aws")
      .replace(/\$\{AWS::Region\}/g, region)
      .replace(/\$\{AWS::AccountId\}/g, account);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSub(v, region, account)]));
}

// The appliance's instance role in a stack of `region`: the templates' inline `rtcgw-agent` policy only (what the agent
// needs; the managed AmazonSSMManagedInstanceCore is for Session Manager and would hide a gap, see docs/AWS-PERMISSIONS.md).
export function appliancePrincipal(
  recipe: Recipe,
  region: string,
  account = "111122223333",
  policy = resolveSub(renderInstanceRolePolicy(recipe), region, account),
): FakePrincipal {
  return { arn: `arn:aws:sts::${account}:assumed-role/rtcgw-InstanceRole/i-0123456789abcdef0`, policies: [{ name: "rtcgw-agent", policy }] };
}
