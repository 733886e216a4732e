import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CloudError } from "../../../cloud/ports.ts";
import type { FakeCloud } from "./create-fake-cloud.ts";
import { handleCloudWatch } from "./endpoint-cloudwatch.ts";
import { ebsActionOf, ebsCallInput, ebsErrorAnswer, handleEbs } from "./endpoint-ebs.ts";
import { handleEc2 } from "./endpoint-ec2.ts";
import { handleS3, s3ActionOf, s3ErrorAnswer } from "./endpoint-s3.ts";
import { handleSsm } from "./endpoint-ssm.ts";
import { createIamHandler } from "./endpoint-iam.ts";
import { s3CallInput, type IamAuthorizer } from "./iam-authorizer.ts";
import { ec2Error, parseQueryBody, stsError, stsResponse } from "./protocol-codecs.ts";

/** A local HTTP endpoint that real SDK v3 clients talk to, backed by a fake cloud. */
export interface FakeEndpoint {
  url: string;
  /** Requests served, by action (the endpoint's own record). */
  served: string[];
  /** Actions whose next request is carried out and then answered with a 500 (the response is lost, the effect is not). */
  loseNextResponse: Set<string>;
  close(): Promise<void>;
}

const throttling = new Set(["RequestLimitExceeded", "Throttling", "ThrottlingException"]);
const denied = new Set(["AccessDenied", "UnauthorizedOperation", "AuthFailure", "InvalidClientTokenId"]);

// Starts the endpoint on 127.0.0.1 (a free port). Region and service come from the request's SigV4 credential scope
// (EC2 and STS: Query, SSM: JSON 1.1, S3: REST-XML path-style and S3 Control, EBS direct APIs: REST-JSON) or a presigned URL's X-Amz-Credential;
// an unsigned request is an anonymous S3 read. With an `authorizer`, every signed request (presigned URLs too, as their
// signer) must be allowed by the IAM policies of its access key's principal first (iam-authorizer.ts).
export async function startFakeEndpoint(cloud: FakeCloud, options: { authorizer?: IamAuthorizer } = {}): Promise<FakeEndpoint> {
  const served: string[] = [];
  const loseNextResponse = new Set<string>();
  const handleIam = createIamHandler(cloud);
  const answerRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const presigned = url.searchParams.get("X-Amz-Credential");
    const scope =
      /Credential=[^/]+\/\d+\/([^/]+)\/([^/]+)\//.exec(req.headers.authorization ?? "") ??
      (presigned ? /^[^/]+\/\d+\/([^/]+)\/([^/]+)\//.exec(presigned) : null);
    const region = scope?.[1] ?? "us-east-1";
    const service = scope?.[2] ?? "s3";
    const accessKeyId = /Credential=([^/]+)\//.exec(req.headers.authorization ?? "")?.[1] ?? presigned?.split("/")[0] ?? "";
    const authorize = (action: string, input: Record<string, unknown>) => options.authorizer?.authorize({ cloud, accessKeyId, service, action, region, input });
    if (service === "s3") {
      const action = s3ActionOf(req.method ?? "GET", url);
      served.push(action);
      try {
        // A presigned URL is refused once X-Amz-Date + X-Amz-Expires has passed, on the wall clock (the one the SDK signed with).
        const signedAt = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(url.searchParams.get("X-Amz-Date") ?? "");
        if (
          presigned &&
          signedAt &&
          Date.now() >
            Date.UTC(+signedAt[1]!, +signedAt[2]! - 1, +signedAt[3]!, +signedAt[4]!, +signedAt[5]!, +signedAt[6]!) +
              Number(url.searchParams.get("X-Amz-Expires") ?? 0) * 1000
        ) {
          throw new CloudError("AccessDenied", "Request has expired");
        }
        if (scope) await authorize(action, s3CallInput(url, raw));
        const answer = await handleS3(cloud, { method: req.method ?? "GET", url, headers: req.headers, body: raw, region, anonymous: !scope });
        if (loseNextResponse.delete(action)) throw new CloudError("InternalError", "We encountered an internal error (response lost after the effect)");
        res.writeHead(answer.status, answer.headers).end(answer.body);
      } catch (error) {
        const answer = s3ErrorAnswer(
          req.method ?? "GET",
          error instanceof CloudError ? error.code : "InternalError",
          error instanceof Error ? error.message : String(error),
        );
        res.writeHead(answer.status, answer.headers).end(answer.body);
      }
      return;
    }
    if (service === "ebs") {
      const action = ebsActionOf(req.method ?? "GET", url);
      served.push(action);
      try {
        if (scope) await authorize(action, ebsCallInput(action, url, raw));
        const answer = await handleEbs(cloud, { method: req.method ?? "GET", url, headers: req.headers, body: raw, region });
        if (loseNextResponse.delete(action)) throw new CloudError("InternalServerException", "An internal error has occurred (response lost after the effect)");
        res.writeHead(answer.status, answer.headers).end(answer.body);
      } catch (error) {
        const answer = ebsErrorAnswer(
          error instanceof CloudError ? error.code : "InternalServerException",
          error instanceof Error ? error.message : String(error),
        );
        res.writeHead(answer.status, answer.headers).end(answer.body);
      }
      return;
    }
    const body = raw.toString("utf8");
    const target = req.headers["x-amz-target"];
    const json = typeof target === "string";
    const form = json ? {} : parseQueryBody(body);
    const action = json ? target.split(".").pop()! : String(form.Action);
    served.push(action);
    try {
      await authorize(action, json ? JSON.parse(body || "{}") : form);
      const payload = service === "iam" ? await handleIam(action, form) : await handle(cloud, service, action, region, json ? JSON.parse(body || "{}") : form);
      if (payload === undefined) throw new CloudError("InvalidAction", `The fake endpoint does not implement iam:${action}`);
      if (loseNextResponse.delete(action)) throw new CloudError("InternalError", "An internal error has occurred (response lost after the effect)");
      res.writeHead(200, { "content-type": json ? "application/x-amz-json-1.1" : "text/xml" }).end(payload);
    } catch (error) {
      const code = error instanceof CloudError ? error.code : "InternalError";
      const message = error instanceof Error ? error.message : String(error);
      const status =
        code === "InternalError"
          ? 500
          : denied.has(code)
            ? 403
            : throttling.has(code) && service === "ec2"
              ? 503
              : code === "NoSuchEntity"
                ? 404
                : code === "EntityAlreadyExists" || code === "DeleteConflict"
                  ? 409
                  : 400;
      if (json)
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": code }).end(JSON.stringify({ __type: code, message }));
      else res.writeHead(status, { "content-type": "text/xml" }).end(service === "ec2" ? ec2Error(code, message) : stsError(code, message));
    }
  };
  // A failure outside the answers above (the request body could not be read, say) is a 500 for the client, never an unhandled rejection.
  const server: Server = createServer((req, res) => {
    answerRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end(error instanceof Error ? error.message : String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, served, loseNextResponse, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function handle(cloud: FakeCloud, service: string, action: string, region: string, input: Record<string, unknown>): Promise<string> {
  if (service === "sts" && action === "GetCallerIdentity") {
    const id = await cloud.ports.sts.getCallerIdentity();
    return stsResponse(action, `<Arn>${id.arn}</Arn><UserId>AIDAFAKE</UserId><Account>${id.account}</Account>`);
  }
  const answer =
    service === "ssm"
      ? await handleSsm(cloud, action, region, input)
      : service === "ec2"
        ? await handleEc2(cloud, action, region, input)
        : service === "monitoring"
          ? await handleCloudWatch(cloud, action, region, input)
          : undefined;
  if (answer === undefined) throw new CloudError("InvalidAction", `The fake endpoint does not implement ${service}:${action}`);
  return answer;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req
      .on("data", (c: Buffer) => chunks.push(c))
      .on("end", () => resolve(Buffer.concat(chunks)))
      .on("error", reject);
  });
}
