// Kamailio's JSONRPC over HTTP (jsonrpcs + xhttp on the loopback WS listener, path /RPC).

/** One registered contact. */
export interface Registration {
  aor: string;
  contact: string;
  expires: number;
  userAgent: string;
}

/** One dialog (call) Kamailio tracks. */
export interface ActiveCall {
  callId: string;
  from: string;
  to: string;
  state: number;
  /** Unix seconds when the call was answered (0 while ringing). */
  startedAt: number;
}

/** Where Kamailio's RPC endpoint is. */
export interface KamailioRpcEndpoint {
  url: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

// Calls one RPC method and returns its `result` (undefined when Kamailio returned none).
export async function callKamailioRpc(endpoint: KamailioRpcEndpoint, method: string, params: unknown[] = []): Promise<unknown> {
  const doFetch = endpoint.fetch ?? fetch;
  const response = await doFetch(endpoint.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }),
    signal: AbortSignal.timeout(endpoint.timeoutMs ?? 1500),
  }).catch((error: Error & { cause?: { code?: string } }) => {
    throw new Error(`Kamailio RPC at ${endpoint.url} unreachable: ${error.cause?.code ?? error.message}`);
  });
  if (!response.ok) throw new Error(`Kamailio RPC ${method}: HTTP ${response.status}`);
  const body = (await response.json()) as { result?: unknown; error?: { code?: number; message?: string } };
  if (body.error) throw new Error(`Kamailio RPC ${method}: ${body.error.message ?? body.error.code}`);
  return body.result;
}

// Current registrations. The gateway registers browsers through to the PBX and keeps no location table: its
// htable `wsreg` holds one "EXPIRES-AT AOR USER-AGENT" entry per registered WebSocket connection.
export async function listRegistrations(endpoint: KamailioRpcEndpoint, now: () => number = Date.now): Promise<Registration[]> {
  const result = await callKamailioRpc(endpoint, "htable.dump", ["wsreg"]);
  const registrations: Registration[] = [];
  for (const entry of asArray(result)) {
    for (const item of asArray((entry as { slot?: unknown }).slot)) {
      const { name, value } = item as { name?: unknown; value?: unknown };
      const [expiresAt = "", aor = "", ...userAgent] = String(value ?? "").split(" ");
      registrations.push({
        aor,
        contact: `WebSocket connection ${String(name)}`,
        expires: Math.max(0, Number(expiresAt) - Math.floor(now() / 1000)),
        userAgent: userAgent.join(" "),
      });
    }
  }
  return registrations;
}

// Current dialogs from `dlg.list` (Kamailio returns one object for one dialog, a list for several).
export async function listActiveCalls(endpoint: KamailioRpcEndpoint): Promise<ActiveCall[]> {
  const result = await callKamailioRpc(endpoint, "dlg.list");
  return asArray(result).map((item) => {
    const dialog = item as Record<string, unknown>;
    return {
      callId: String(dialog["call-id"] ?? ""),
      from: String(dialog.from_uri ?? ""),
      to: String(dialog.to_uri ?? ""),
      state: Number(dialog.state ?? 0),
      startedAt: Number(dialog.start_ts ?? 0),
    };
  });
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
