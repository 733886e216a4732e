import type { Recipe } from "../../dsl/resolve.ts";
import { buildTestRecipe } from "../harness/gateway-config.ts";
import { pbxAddress } from "../harness/gateway-stack.ts";

/** The SIP domain the end-to-end browsers register in. */
export const e2eDomain = "pbx.test";

// The default recipe adapted to loopback tests: domain pbx.test, the PBX stand-in as upstream, two SIP
// ports, WS on, no duration limit (scenarios that need one add it); `change` edits the rest.
export function buildE2eRecipe(change: (recipe: any) => void = () => {}): Recipe {
  return buildTestRecipe((r) => {
    r.gateway.domains = [e2eDomain];
    r.gateway.upstreams = [{ name: "pbx", host: pbxAddress, port: 5060, transport: "udp", allowFrom: [`${pbxAddress}/32`] }];
    r.gateway.listen.sip.ports = "5060-5061";
    r.gateway.listen.ws = { port: 8080 };
    r.gateway.rules = r.gateway.rules.filter((rule: { kind: string }) => rule.kind !== "max-call-duration");
    change(r);
  });
}
