// A minimal SSM Parameter Store stand-in (AWS JSON 1.1 GetParameter) that the real
// @aws-sdk/client-ssm talks to through `endpoint`; used until test/fakes/aws offers SSM.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A running stand-in: parameters by region, then by name. */
export interface FakeSsm {
  endpoint: string;
  parameters: Map<string, string>;
  /** Region of each request, from the SigV4 credential scope. */
  calls: { target: string; region: string; name: string }[];
  close(): Promise<void>;
}

// Starts the stand-in on a free loopback port.
export async function startFakeSsm(parameters: Record<string, string> = {}): Promise<FakeSsm> {
  const store = new Map(Object.entries(parameters));
  const calls: FakeSsm["calls"] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/ssm\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "";
      const input = JSON.parse(body || "{}") as { Name?: string };
      calls.push({ target, region, name: input.Name ?? "" });
      const send = (status: number, payload: unknown) => res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(payload));
      if (target !== "AmazonSSM.GetParameter") return send(400, { __type: "UnknownOperationException", message: target });
      const value = store.get(`${region}:${input.Name}`) ?? store.get(input.Name ?? "");
      if (value === undefined) return send(400, { __type: "ParameterNotFound", message: `Parameter ${input.Name} not found.` });
      return send(200, { Parameter: { Name: input.Name, Type: "SecureString", Value: value, Version: 1, DataType: "text" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, parameters: store, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
