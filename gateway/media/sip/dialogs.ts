// Dialogs the service is a UAS of (RFC 3261 12): identity, route set, CSeq, and the BYE it sends to end one.
import type { AudioChoice } from "../sdp/sdp-answer.ts";
import { composeRequest, createToken } from "./sip-compose.ts";
import { findHeader, type SipRequest } from "./sip-parse.ts";
import { parseNameAddr, uriHostPort, uriUser } from "./sip-headers.ts";

/** What a call is for: a conference room or the music. */
export type CallTarget = { kind: "room"; room: string } | { kind: "music" };

/** The media side of an answered call, as the dialog sees it. */
export interface LegHandle {
  /** Local RTP port announced in SDP. */
  port: number;
  /** The SSRC of the RTP we send. */
  ssrc: number;
  /** Applies a new negotiation (re-INVITE, or the answer in an ACK). */
  update(choice: AudioChoice): void;
  close(): void;
}

/** One dialog. */
export interface Dialog {
  key: string;
  callId: string;
  localTag: string;
  /** The INVITE's To and From header values, for our own requests (From/To swap). */
  localHeader: string;
  remoteHeader: string;
  remoteTarget: string;
  routeSet: string[];
  source: { address: string; port: number };
  localCseq: number;
  remoteCseq: number;
  target: CallTarget;
  /** answering: 200 sent (or about to be) and not acknowledged; confirmed: ACK seen; ended: BYE/CANCEL/timeout. */
  state: "answering" | "confirmed" | "ended";
  leg: LegHandle | undefined;
  /** True while our 200 carries an offer (INVITE without SDP) and the answer is due in the ACK. */
  awaitingAnswer: boolean;
  sessionId: number;
  sdpVersion: number;
  stopOkRetransmission: (() => void) | undefined;
}

// The dialog key: Call-ID and our tag (the To tag of in-dialog requests from the other side).
export function dialogKey(callId: string, localTag: string): string {
  return `${callId}\n${localTag}`;
}

// Which service a Request-URI asks for: 8 digits (optionally with the `*`) → room, `music` → music.
export function findCallTarget(uri: string): CallTarget | undefined {
  const user = uriUser(uri);
  if (user === undefined) return undefined;
  const room = /^(?:\*|%2[Aa])?([0-9]{8})$/.exec(user);
  if (room) return { kind: "room", room: room[1]! };
  return user.toLowerCase() === "music" ? { kind: "music" } : undefined;
}

// A dialog for an initial INVITE; its state starts at `answering`.
export function createDialog(invite: SipRequest, target: CallTarget, source: { address: string; port: number }): Dialog {
  const localTag = createToken().slice(0, 16);
  return {
    key: dialogKey(invite.callId, localTag),
    callId: invite.callId,
    localTag,
    localHeader: `${findHeader(invite.headers, "to")};tag=${localTag}`,
    remoteHeader: findHeader(invite.headers, "from")!,
    remoteTarget: invite.contact?.uri ?? invite.from.uri,
    routeSet: invite.recordRoutes,
    source,
    localCseq: 1,
    remoteCseq: invite.cseq.number,
    target,
    state: "answering",
    leg: undefined,
    awaitingAnswer: false,
    sessionId: Math.floor(Math.random() * 1e9),
    sdpVersion: 1,
    stopOkRetransmission: undefined,
  };
}

// A BYE for the dialog and where to send it: the first route hop, else the remote target, else where the INVITE came from.
export function composeBye(
  dialog: Dialog,
  local: { address: string; port: number },
  reason: string,
): { text: string; branch: string; to: { address: string; port: number } } {
  const branch = `z9hG4bK${createToken()}`;
  dialog.localCseq++;
  const text = composeRequest({
    method: "BYE",
    uri: dialog.remoteTarget,
    via: `SIP/2.0/UDP ${local.address}:${local.port};branch=${branch};rport`,
    from: dialog.localHeader,
    to: dialog.remoteHeader,
    callId: dialog.callId,
    cseq: dialog.localCseq,
    routes: dialog.routeSet,
    extra: [`Reason: SIP;cause=200;text="${reason}"`],
  });
  const firstHop = dialog.routeSet[0] === undefined ? undefined : parseNameAddr(dialog.routeSet[0]);
  const hop = uriHostPort(firstHop?.uri ?? dialog.remoteTarget);
  // The service talks to its proxy on loopback: a hostname (a WebSocket alias such as `x.invalid`) means "via the proxy".
  const usable = hop !== undefined && /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$/.test(hop.host);
  return { text, branch, to: usable ? { address: hop.host, port: hop.port } : dialog.source };
}
