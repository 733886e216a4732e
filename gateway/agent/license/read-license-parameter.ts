// The SDK is loaded when first needed: evaluating it is most of the agent's start-up (24 s of Node's time under
// QEMU's TCG), and the admin service never reads the license.

/** Where to read the license: the instance's region with the instance role; `endpoint` for tests. */
export interface LicenseParameterSource {
  region: string;
  name: string;
  endpoint?: string;
  /** Static credentials for tests; the instance role (IMDS) otherwise. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

// The parameter's value; undefined when it does not exist. Other failures (no role, throttling) throw.
export async function readLicenseParameter(source: LicenseParameterSource): Promise<string | undefined> {
  const { GetParameterCommand, SSMClient } = await import("@aws-sdk/client-ssm");
  const client = new SSMClient({
    region: source.region,
    maxAttempts: 3,
    ...(source.endpoint ? { endpoint: source.endpoint } : {}),
    ...(source.credentials ? { credentials: source.credentials } : {}),
  });
  try {
    const result = await client.send(new GetParameterCommand({ Name: source.name, WithDecryption: true }));
    return result.Parameter?.Value;
  } catch (error) {
    if ((error as { name?: string }).name === "ParameterNotFound") return undefined;
    throw error;
  } finally {
    client.destroy();
  }
}
