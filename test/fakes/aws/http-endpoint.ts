import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CloudError } from "../../../regions/cloud/ports.ts";
import type { FakeCloud } from "./create-fake-cloud.ts";
import { ec2Error, ec2Response, imageXml, listOf, parseQueryBody, stsError, stsResponse } from "./protocol-codecs.ts";

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

// Starts the endpoint on 127.0.0.1 (a free port). The region comes from the request's SigV4 credential scope.
export async function startFakeEndpoint(cloud: FakeCloud): Promise<FakeEndpoint> {
  const served: string[] = [];
  const loseNextResponse = new Set<string>();
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const region = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? "")?.[1] ?? "us-east-1";
    const target = req.headers["x-amz-target"];
    const json = typeof target === "string";
    const form = json ? {} : parseQueryBody(body);
    const action = json ? target.split(".").pop()! : String(form.Action);
    const service = json ? "ssm" : form.Version === "2011-06-15" ? "sts" : "ec2";
    served.push(action);
    try {
      const payload = await handle(cloud, service, action, region, json ? JSON.parse(body || "{}") : form);
      if (loseNextResponse.delete(action)) throw new CloudError("InternalError", "An internal error has occurred (response lost after the effect)");
      res.writeHead(200, { "content-type": json ? "application/x-amz-json-1.1" : "text/xml" }).end(payload);
    } catch (error) {
      const code = error instanceof CloudError ? error.code : "InternalError";
      const message = error instanceof Error ? error.message : String(error);
      const status = code === "InternalError" ? 500 : throttling.has(code) && service === "ec2" ? 503 : 400;
      if (json) res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": code }).end(JSON.stringify({ __type: code, message }));
      else res.writeHead(status, { "content-type": "text/xml" }).end(service === "sts" ? stsError(code, message) : ec2Error(code, message));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, served, loseNextResponse, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function handle(cloud: FakeCloud, service: string, action: string, region: string, input: Record<string, unknown>): Promise<string> {
  const { ec2, ssm, sts } = cloud.ports;
  if (service === "sts" && action === "GetCallerIdentity") {
    const id = await sts.getCallerIdentity();
    return stsResponse(action, `<Arn>${id.arn}</Arn><UserId>AIDAFAKE</UserId><Account>${id.account}</Account>`);
  }
  if (service === "ssm" && action === "GetParameter") {
    const value = await ssm.getParameter(region, String(input.Name));
    if (value === undefined) throw new CloudError("ParameterNotFound", `Parameter ${input.Name} not found`);
    const stored = cloud.state.parameters.get(`${region}:${input.Name}`)!;
    return JSON.stringify({ Parameter: { Name: input.Name, Type: "String", Value: value, Version: stored.version, DataType: stored.dataType } });
  }
  if (service === "ssm" && action === "PutParameter") {
    await ssm.putParameter(region, { name: String(input.Name), value: String(input.Value), dataType: (input.DataType as "text" | "aws:ec2:image") ?? "text", tags: {} });
    return JSON.stringify({ Version: cloud.state.parameters.get(`${region}:${input.Name}`)!.version, Tier: "Standard" });
  }
  if (service === "ec2" && action === "CopyImage") {
    const tagSpecs = listOf<Record<string, unknown>>(input.TagSpecification);
    const tags = Object.fromEntries(listOf<{ Key: string; Value: string }>(tagSpecs.find((t) => t.ResourceType === "image")?.Tag).map((t) => [t.Key, t.Value]));
    const imageId = await ec2.copyImage(region, {
      sourceRegion: String(input.SourceRegion), sourceImageId: String(input.SourceImageId), name: String(input.Name), description: String(input.Description ?? ""), clientToken: String(input.ClientToken ?? ""), tags,
    });
    return ec2Response(action, `<imageId>${imageId}</imageId>`);
  }
  if (service === "ec2" && action === "DescribeImages") {
    const filters = listOf<{ Name: string; Value: Record<string, string> }>(input.Filter);
    const filter = (name: string) => listOf<string>(filters.find((f) => f.Name === name)?.Value)[0];
    const tagFilter = filters.find((f) => f.Name.startsWith("tag:"));
    const images = await ec2.describeImages(region, {
      ...(input.ImageId ? { imageIds: listOf<string>(input.ImageId) } : {}),
      ...(input.Owner ? { owners: listOf<string>(input.Owner) } : {}),
      ...(filter("name") ? { name: filter("name")! } : {}),
      ...(tagFilter ? { tag: { key: tagFilter.Name.slice(4), value: listOf<string>(tagFilter.Value)[0]! } } : {}),
      publicOnly: filter("is-public") === "true",
    });
    return ec2Response(action, `<imagesSet>${images.map(imageXml).join("")}</imagesSet>`);
  }
  throw new CloudError("InvalidAction", `The fake endpoint does not implement ${service}:${action}`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks).toString("utf8"))).on("error", reject);
  });
}
