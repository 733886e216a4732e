import type { AgentConfig } from "../agent-config.ts";
import type { GatewayStatus, Probe } from "./collect-gateway-status.ts";

/** What the page knows besides the live status. */
export interface AdminPageContext {
  config: AgentConfig;
  status: GatewayStatus;
  /** When the machine booted (the license was read then). */
  bootedAt: Date;
  now: Date;
}

// The read-only status page (pure): every value is HTML-escaped, there is no script, and nothing
// secret is in it (the password and its hash never reach this function).
export function renderAdminPage({ config, status, bootedAt, now }: AdminPageContext): string {
  const license = status.license;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="15"><title>rtcgw admin — ${escapeHtml(config.recipe.name)}</title>
<link rel="stylesheet" href="/tryit/style.css"></head>
<body><main>
<h1>rtcgw gateway <small>${escapeHtml(config.recipe.name)} ${escapeHtml(config.recipe.version)}</small></h1>
<p>Read-only status, refreshed every 15 s. Page generated ${escapeHtml(now.toISOString())}. <a href="/tryit/">WebRTC demo</a></p>
<section><h2>Services</h2>${probeTable(status.services, ["Unit", "State"], (s) => [s.unit, s.state])}</section>
<section><h2>Registrations</h2>${probeTable(status.registrations, ["AoR", "Contact", "Expires (s)", "User agent"], (r) => [r.aor, r.contact, String(r.expires), r.userAgent])}</section>
<section><h2>Active calls</h2>${probeTable(status.calls, ["Call-ID", "From", "To", "State", "Answered"], (c) => [c.callId, c.from, c.to, String(c.state), c.startedAt ? new Date(c.startedAt * 1000).toISOString() : "ringing"])}
<p>Media: ${status.rtpengine.ok ? `rtpengine anchors ${status.rtpengine.value.sessions} session(s)` : `rtpengine unavailable: ${escapeHtml(status.rtpengine.error)}`}</p></section>
<section><h2>License</h2>${license.ok ? `<p>${escapeHtml(license.value.limits.summary)}</p>` : `<p class="error">License state unavailable: ${escapeHtml(license.error)}</p>`}
<p>The license is read at boot only (last boot ${escapeHtml(bootedAt.toISOString())}): after changing the SSM parameter <code>${escapeHtml(config.license.parameter)}</code>, reboot the instance.</p></section>
<section><h2>Rules</h2>${list(config.readable.rules)}<h3>Dial plan</h3>${list(config.readable.dialPlan)}
<h3>Domains</h3>${list(config.readable.domains)}<h3>Upstreams</h3>${list(config.readable.upstreams)}</section>
<section><h2>Image</h2><dl><dt>Version</dt><dd>${escapeHtml(config.recipe.version)}</dd><dt>Recipe hash</dt><dd><code>${escapeHtml(config.recipe.hash)}</code></dd></dl></section>
</main></body></html>
`;
}

// Escapes the five HTML-special characters.
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function probeTable<T>(probe: Probe<T[]>, headings: string[], row: (item: T) => string[]): string {
  if (!probe.ok) return `<p class="error">Unavailable: ${escapeHtml(probe.error)}</p>`;
  if (probe.value.length === 0) return "<p>None.</p>";
  const head = `<tr>${headings.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`;
  const body = probe.value
    .map(
      (item) =>
        `<tr>${row(item)
          .map((cell) => `<td>${escapeHtml(cell)}</td>`)
          .join("")}</tr>`,
    )
    .join("\n");
  return `<table>${head}\n${body}</table>`;
}

function list(items: string[]): string {
  return `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join("")}</ul>`;
}
