// Shared setup for the agent tests: the default recipe, a vendor key pair and the agent config.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRecipe } from "../../dsl/parse.ts";
import type { Recipe } from "../../dsl/resolve.ts";
import gateway from "../../recipes/gateway.ts";
import { compileAgentConfig, type AgentConfig } from "../../gateway/agent/agent-config.ts";
import { generateLicenseKeys } from "../../gateway/agent/license/license-document.ts";
import { createFakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { startFakeEndpoint } from "../fakes/aws/http-endpoint.ts";

/** One vendor key pair for the whole test file. */
export const vendorKeys = generateLicenseKeys();

// The default recipe with `change` applied to a copy of its input.
export function loadRecipe(change: (input: Record<string, any>) => void = () => {}): Recipe {
  const input = structuredClone(gateway) as Record<string, any>;
  change(input);
  const result = parseRecipe(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.recipe;
}

// The agent config for a recipe, with the test vendor's public key.
export function agentConfigFor(recipe: Recipe = loadRecipe()): AgentConfig {
  return compileAgentConfig(recipe, vendorKeys.publicKeyPem);
}

// A fresh temp root standing in for `/`.
export function makeRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), "rtcgw-agent-"));
}

/** The project's AWS fake behind its HTTP endpoint, as the agent's SSM client sees it. */
export interface AgentSsm {
  endpoint: string;
  /** Actions served, in order. */
  served: string[];
  close(): Promise<void>;
}

// Starts the AWS fake's HTTP endpoint with the given SSM parameters (keyed `region:name`).
export async function startSsm(parameters: Record<string, string> = {}): Promise<AgentSsm> {
  const cloud = createFakeCloud();
  for (const [key, value] of Object.entries(parameters)) {
    const [region, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    await cloud.ports.ssm.putParameter(region, { name, value, dataType: "text", tags: {} });
  }
  const endpoint = await startFakeEndpoint(cloud);
  return { endpoint: endpoint.url, served: endpoint.served, close: () => endpoint.close() };
}
