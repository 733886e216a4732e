// EBS direct APIs of the fake endpoint (REST-JSON): POST /snapshots, PUT /snapshots/{id}/blocks/{index} (the block as a
// binary body, its length and SHA-256 in x-amz-* headers), POST /snapshots/completion/{id}; errors as x-amzn-ErrorType.
import type { IncomingHttpHeaders } from "node:http";
import { CloudError } from "../../../cloud/ports.ts";
import type { FakeCloud } from "./create-fake-cloud.ts";
import { ebsBlockSize } from "./fake-ebs.ts";

/** One HTTP answer. */
export interface EbsAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): EbsAnswer => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(value),
});

// The action a request names, for the endpoint's record.
export function ebsActionOf(method: string, url: URL): string {
  if (method === "POST" && url.pathname === "/snapshots") return "StartSnapshot";
  if (method === "PUT" && /^\/snapshots\/[^/]+\/blocks\/\d+$/.test(url.pathname)) return "PutSnapshotBlock";
  if (method === "POST" && url.pathname.startsWith("/snapshots/completion/")) return "CompleteSnapshot";
  return `${method} ${url.pathname}`;
}

// The request as the IAM rows read it: StartSnapshot's JSON body (its Tags), or the snapshot a write goes to.
export function ebsCallInput(action: string, url: URL, body: Buffer): Record<string, unknown> {
  if (action === "StartSnapshot") return JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
  const snapshotId = /^\/snapshots\/(?:completion\/)?([^/]+)/.exec(url.pathname)?.[1];
  return { SnapshotId: snapshotId };
}

// Answers one EBS request; a CloudError thrown here is turned into an error answer by `ebsErrorAnswer`.
export async function handleEbs(
  cloud: FakeCloud,
  input: { method: string; url: URL; headers: IncomingHttpHeaders; body: Buffer; region: string },
): Promise<EbsAnswer> {
  const { ebs } = cloud.ports;
  const action = ebsActionOf(input.method, input.url);
  const header = (name: string) => {
    const value = input.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  if (action === "StartSnapshot") {
    const request = JSON.parse(input.body.toString("utf8") || "{}") as {
      VolumeSize?: number;
      Description?: string;
      Tags?: { Key: string; Value: string }[];
      ClientToken?: string;
      Timeout?: number;
    };
    const tags = Object.fromEntries((request.Tags ?? []).map((t) => [t.Key, t.Value]));
    const { snapshotId } = await ebs.startSnapshot(input.region, {
      volumeSizeGiB: Number(request.VolumeSize),
      description: request.Description ?? "",
      tags,
      clientToken: request.ClientToken ?? "",
      timeoutMinutes: request.Timeout ?? 60,
    });
    return json(201, {
      SnapshotId: snapshotId,
      OwnerId: cloud.state.accountId,
      Status: "pending",
      StartTime: cloud.clock.now() / 1000,
      VolumeSize: request.VolumeSize,
      BlockSize: ebsBlockSize,
      Tags: request.Tags ?? [],
      Description: request.Description ?? "",
      SseType: "sse-ebs",
    });
  }
  if (action === "PutSnapshotBlock") {
    const [, , snapshotId, , index] = input.url.pathname.split("/");
    const length = Number(header("x-amz-Data-Length"));
    const checksum = header("x-amz-Checksum") ?? "";
    if (header("x-amz-Checksum-Algorithm") !== "SHA256")
      throw new CloudError("ValidationException", "x-amz-Checksum-Algorithm must be SHA256: INVALID_PARAMETER_VALUE");
    if (length !== input.body.length)
      throw new CloudError("ValidationException", `x-amz-Data-Length ${length} does not match the ${input.body.length} bytes sent: INVALID_PARAMETER_VALUE`);
    await ebs.putSnapshotBlock(input.region, { snapshotId: snapshotId!, blockIndex: Number(index), data: input.body, checksum });
    return { status: 201, headers: { "x-amz-Checksum": checksum, "x-amz-Checksum-Algorithm": "SHA256" }, body: "" };
  }
  if (action === "CompleteSnapshot") {
    const snapshotId = input.url.pathname.slice("/snapshots/completion/".length);
    const status = await ebs.completeSnapshot(input.region, snapshotId, Number(header("x-amz-ChangedBlocksCount")));
    return json(202, { Status: status });
  }
  throw new CloudError("ValidationException", `the fake endpoint does not implement ebs ${action}`);
}

const errorStatus: Record<string, number> = {
  ValidationException: 400,
  RequestThrottledException: 400,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  AccessDeniedException: 403,
};

// An EBS error answer: the code in x-amzn-ErrorType, Message and Reason (the text after the last `: `) in the body.
export function ebsErrorAnswer(code: string, message: string): EbsAnswer {
  const reason = /: ([A-Z_]+)$/.exec(message)?.[1];
  return json(errorStatus[code] ?? 500, { Message: message, ...(reason ? { Reason: reason } : {}) }, { "x-amzn-errortype": code });
}
