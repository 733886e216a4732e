// The agent's systemd units describe the appliance as compiled: the admin unit names the recipe's WSS port.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderAdminUnit } from "../../gateway/agent/bundle/render-agent-units.ts";

test("rtcgw-admin.service's description names the WSS port the recipe sets", () => {
  const unit = renderAdminUnit("# header", 8443);
  assert.match(unit, /^Description=rtcgw admin UI \(\/\), WebRTC demo \(\/tryit\/\) and WSS proxy to Kamailio, on port 8443$/m);
  assert.doesNotMatch(unit, /\b443\b/);
  assert.match(renderAdminUnit("# header", 443), /on port 443$/m);
});
