import { CloudError } from "../ports.ts";

/** How SDK clients are made: credentials come from the default chain unless a profile or static keys are given. */
export interface SdkOptions {
  /** Home region: STS, IAM and the S3 buckets' default. */
  region: string;
  /** A named profile from ~/.aws/config. @default the default credential chain */
  profile?: string;
  /** Override the endpoint (the contract tests point it at a local fake). */
  endpoint?: string;
  /** Static credentials (tests only). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** SDK attempts per call before our own time-budgeted retry takes over. @default 5 */
  maxAttempts?: number;
}

// The constructor options shared by every SDK client, for one region.
export function clientConfig(options: SdkOptions, region: string): Record<string, unknown> {
  return {
    region,
    maxAttempts: options.maxAttempts ?? 5,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

// Caches one client per region.
export function perRegion<C>(make: (region: string) => C): (region: string) => C {
  const clients = new Map<string, C>();
  return (region) => {
    let client = clients.get(region);
    if (!client) clients.set(region, (client = make(region)));
    return client;
  };
}

// Turns an SDK exception into a CloudError carrying the AWS error code.
export async function mapSdkError<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CloudError) throw error;
    const e = error as { name?: string; Code?: string; code?: string; message?: string };
    throw new CloudError(e.Code ?? e.name ?? e.code ?? "Unknown", e.message ?? String(error));
  }
}

// EC2/IAM tag lists ⇄ plain maps.
export function toTagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

// Reads an SDK tag list into a map.
export function fromTagList(tags: { Key?: string | undefined; Value?: string | undefined }[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}
