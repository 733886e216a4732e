// The appliance's port 443 in front of a test gateway: the bundled agent (`agent.mjs serve`, after its
// first boot against a fake IMDS and SSM) terminating TLS and proxying SIP WebSocket upgrades to the
// gateway's loopback WS listener, as on the appliance.
import { rm } from "node:fs/promises";
import type { Recipe } from "../../dsl/resolve.ts";
import { bundleAgent } from "../../gateway/agent/bundle/bundle-agent.ts";
import { startFakeImds } from "../fakes/imds.ts";
import { makeRoot, startSsm, vendorKeys } from "../gateway/agent-helpers.ts";
import { installBundleFiles, runAgentFirstBoot, startAgentServe } from "../gateway/agent-process.ts";

/** A running agent: `https://127.0.0.1:port/` (self-signed), WSS to the gateway on the same port. */
export interface AgentProxy {
  port: number;
  output: string[];
  stop(): Promise<void>;
}

// Bundles the agent for `recipe`, runs its first boot in a temp root and serves on a free loopback port,
// proxying to Kamailio's loopback WS listener on `kamailioPort`; `stop()` ends it and removes the root.
export async function startAgentProxy(recipe: Recipe, kamailioPort: number, rtpenginePort = 9): Promise<AgentProxy> {
  const [imds, ssm, root] = await Promise.all([
    startFakeImds({ instanceId: "i-0123456789abcdef0", region: "us-east-1", localIpv4: "127.0.0.1" }),
    startSsm(),
    makeRoot(),
  ]);
  const cleanUp = async () => {
    await Promise.all([imds.close(), ssm.close()]);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await installBundleFiles(await bundleAgent(recipe, { licensePublicKeyPem: vendorKeys.publicKeyPem }), root);
    await runAgentFirstBoot(root, ["--imds", imds.endpoint, "--ssm-endpoint", ssm.endpoint]);
    const agent = await startAgentServe(root, ["--kamailio-port", String(kamailioPort), "--rtpengine-port", String(rtpenginePort)]);
    return {
      port: agent.port,
      output: agent.output,
      stop: async () => {
        await agent.stop();
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
