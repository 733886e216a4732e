import type { S3Client } from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
import { CloudError, type PublicAccessBlock } from "../ports.ts";
import type { SdkOptions } from "./client-options.ts";

// The account-level S3 Block Public Access (S3 Control GetPublicAccessBlock), signed with the S3 client's own credentials
// (no S3 Control client is among the dependencies); undefined when the account has none configured.
export async function getAccountPublicAccessBlock(
  client: S3Client,
  options: SdkOptions,
  region: string,
  accountId: string,
): Promise<PublicAccessBlock | undefined> {
  const base = new URL(options.endpoint ?? `https://${accountId}.s3-control.${region}.amazonaws.com`);
  const path = "/v20180820/configuration/publicAccessBlock";
  const signer = new SignatureV4({ credentials: client.config.credentials, region, service: "s3", sha256: client.config.sha256 });
  const request = {
    method: "GET",
    protocol: base.protocol,
    hostname: base.hostname,
    ...(base.port ? { port: Number(base.port) } : {}),
    path,
    query: {},
    headers: { host: base.host, "x-amz-account-id": accountId, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  };
  const signed = await signer.sign(request);
  let response: Response;
  try {
    response = await fetch(new URL(path, base), { method: "GET", headers: signed.headers });
  } catch (error) {
    throw new CloudError("NetworkingError", `S3 Control ${base.host}: ${(error as Error).message}`);
  }
  const body = await response.text();
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
  if (!response.ok) {
    const code = field("Code") ?? `HTTP${response.status}`;
    if (code === "NoSuchPublicAccessBlockConfiguration") return undefined;
    throw new CloudError(code, field("Message") ?? body.slice(0, 200));
  }
  const flag = (name: string) => field(name) === "true";
  return {
    blockPublicAcls: flag("BlockPublicAcls"),
    ignorePublicAcls: flag("IgnorePublicAcls"),
    blockPublicPolicy: flag("BlockPublicPolicy"),
    restrictPublicBuckets: flag("RestrictPublicBuckets"),
  };
}
