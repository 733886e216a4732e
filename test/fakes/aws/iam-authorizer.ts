// IAM for the fake endpoint: each signed request is evaluated, before the fake acts on it, by a real policy simulator
// (@cloud-copilot/iam-simulate: identity policies, condition operators, the context keys each action supports) against the
// policies of the principal its access key belongs to. A request some policy does not allow is refused with the service's
// own error (EC2 UnauthorizedOperation, IAM and S3 AccessDenied, SSM AccessDeniedException), so real SDK clients see what
// they would see on AWS. What IAM evaluates per operation is in iam-requests.ts.
import { runSimulation, runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { CloudError } from "../../../cloud/ports.ts";
import type { FakeCloud } from "./create-fake-cloud.ts";
import { iamRequestsByOperation, type IamRequest } from "./iam-requests.ts";

/** An IAM identity of the fake account: its ARN and the identity policies attached to it. */
export interface FakePrincipal {
  arn: string;
  policies: { name: string; policy: unknown }[];
}

/** One evaluated authorization. */
export interface AuthorizationRecord {
  operation: string;
  region: string;
  principal: string;
  request: IamRequest;
  allowed: boolean;
  /** The Sids of the statements that allowed it. */
  allowedBy: string[];
  /** Context keys given that the action and resource type do not support (the simulator drops them, as IAM would never see them). */
  ignoredKeys: string[];
}

/** Decides signed requests for the endpoint and keeps a record of every decision. */
export interface IamAuthorizer {
  /** Throws the service's access-denied error when a policy does not allow the request. */
  authorize(input: { cloud: FakeCloud; accessKeyId: string; service: string; action: string; region: string; input: Record<string, unknown> }): Promise<void>;
  records: AuthorizationRecord[];
}

const deniedCode: Record<string, string> = {
  ec2: "UnauthorizedOperation",
  iam: "AccessDenied",
  s3: "AccessDenied",
  ssm: "AccessDeniedException",
  monitoring: "AccessDenied",
};

// Evaluates one request against identity policies (pure apart from the simulator): whether it is allowed, and by which Sids.
export async function evaluateIamRequest(
  principal: FakePrincipal,
  account: string,
  request: IamRequest,
): Promise<{ allowed: boolean; allowedBy: string[]; ignoredKeys: string[] }> {
  const simulation = {
    request: {
      principal: principal.arn,
      action: request.action,
      resource: { resource: request.resource, accountId: account },
      contextVariables: request.context,
    },
    identityPolicies: principal.policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
  };
  // An AWS-owned SSM document has an ARN without account, which the simulator's resource validation does not know: it is
  // evaluated without validation (the decision only, no statement attribution).
  if (/^arn:aws:ssm:[^:]*::document\//.test(request.resource))
    return { allowed: runUnsafeSimulation(simulation, {}) === "Allowed", allowedBy: [], ignoredKeys: [] };
  const result = await runSimulation(simulation, {});
  if (result.resultType === "error")
    throw new Error(`iam-requests.ts: the simulator refuses ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  const analyses = result.resultType === "single" ? [result.result] : result.results;
  const allowed = result.overallResult === "Allowed";
  const allowedBy = [...new Set(analyses.flatMap((a) => (a.analysis.identityAnalysis?.allowStatements ?? []).map((s) => s.explain.identifier)))];
  const ignoredKeys = [...new Set(analyses.flatMap((a) => a.ignoredContextKeys ?? []))];
  return { allowed, allowedBy, ignoredKeys };
}

// An authorizer for the principals, by access key id. IAM learns entity paths from CreateRole / CreateInstanceProfile.
export function createIamAuthorizer(principals: Record<string, FakePrincipal>): IamAuthorizer {
  const records: AuthorizationRecord[] = [];
  const iamPaths = new Map<string, string>();
  return {
    records,
    async authorize({ cloud, accessKeyId, service, action, region, input }) {
      const principal = principals[accessKeyId];
      if (!principal)
        throw new CloudError(
          service === "ec2" ? "AuthFailure" : "InvalidClientTokenId",
          `The security token included in the request is invalid (access key ${accessKeyId})`,
        );
      const operation = `${service}:${action}`;
      const row = iamRequestsByOperation[operation];
      if (!row)
        throw new CloudError("UnmappedOperation", `The fake does not know what IAM evaluates for ${operation}: add a row to test/fakes/aws/iam-requests.ts`);
      for (const request of row({ cloud, region, input, iamPaths })) {
        const { allowed, allowedBy, ignoredKeys } = await evaluateIamRequest(principal, cloud.state.accountId, request);
        records.push({ operation, region, principal: principal.arn, request, allowed, allowedBy, ignoredKeys });
        if (!allowed) {
          throw new CloudError(
            deniedCode[service] ?? "AccessDenied",
            `User: ${principal.arn} is not authorized to perform: ${request.action} on resource: ${request.resource} because no identity-based policy allows the ${request.action} action`,
          );
        }
      }
      if (operation === "iam:CreateRole") iamPaths.set(`role/${input.RoleName}`, String(input.Path ?? "/"));
      if (operation === "iam:CreateInstanceProfile") iamPaths.set(`instance-profile/${input.InstanceProfileName}`, String(input.Path ?? "/"));
    },
  };
}

// The S3 request as the S3 rows read it: bucket, key and (CreateBucket) the tags in its configuration.
export function s3CallInput(url: URL, body: Buffer): Record<string, unknown> {
  const [bucket = "", ...key] = url.pathname.slice(1).split("/");
  const tags = Object.fromEntries([...body.toString("utf8").matchAll(/<Tag><Key>([^<]*)<\/Key><Value>([^<]*)<\/Value><\/Tag>/g)].map((m) => [m[1]!, m[2]!]));
  return { bucket: decodeURIComponent(bucket), key: key.map(decodeURIComponent).join("/"), tags };
}
