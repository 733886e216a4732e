// The SIP user agent server: dispatches each datagram to the right transaction or dialog and answers it.
// Sockets, timers and media are ports, so tests can drive it without a network.
import { chooseAudio, writeAnswer, writeOffer } from "../sdp/sdp-answer.ts";
import { readOffer, type Offer } from "../sdp/invite-offer.ts";
import type { Address, MediaPort, UasSettings } from "./uas-ports.ts";
import { composeResponse, createToken } from "./sip-compose.ts";
import { findHeader, parseSipMessage, type SipParseFailure, type SipRequest, type SipResponse } from "./sip-parse.ts";
import { composeBye, createDialog, dialogKey, findCallTarget, type Dialog } from "./dialogs.ts";
import { retransmit, ServerTransactions, type ServerTransaction, type TimerPort } from "./transactions.ts";
import type { AudioChoice, LocalMedia } from "../sdp/sdp-answer.ts";
import type { Admission } from "../rooms/rooms.ts";

// The ports, re-exported for the server and the tests.
export type { Address, MediaPort, UasSettings } from "./uas-ports.ts";

type Reply = (status: number, reason: string, options?: { toTag?: string; extra?: string[]; body?: { type: string; content: string } }) => void;
interface PendingInvite {
  dialog: Dialog;
  request: SipRequest;
  transaction: ServerTransaction;
  reply: Reply;
}

const allow = "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS";

/** The SIP side of the media service. */
export class SipUas {
  readonly #dialogs = new Map<string, Dialog>();
  readonly #pending = new Map<string, PendingInvite>();
  readonly #byes = new Map<string, () => void>();
  readonly #transactions: ServerTransactions;

  constructor(
    private readonly settings: UasSettings,
    private readonly send: (text: string, to: Address) => void,
    private readonly media: MediaPort,
    private readonly timers: TimerPort,
    private readonly log: (line: string) => void,
  ) {
    this.#transactions = new ServerTransactions(timers);
  }

  // Dialogs currently up (answered or answering).
  get dialogCount(): number {
    return this.#dialogs.size;
  }

  // Handles one datagram; bad input is answered with 400 or dropped, never thrown.
  receive(datagram: Uint8Array, source: Address): void {
    const parsed = parseSipMessage(datagram);
    if (parsed.ok === "keepalive") return;
    if (parsed.ok === false) return this.#refuse(parsed, source);
    if (parsed.message.kind === "response") return this.#onResponse(parsed.message);
    this.#onRequest(parsed.message, source);
  }

  // Ends a dialog from our side with a BYE (RTP timeout, no ACK, shutdown).
  hangUp(dialog: Dialog, reason: string): void {
    if (dialog.state === "ended") return;
    this.log(`hang up ${dialog.callId}: ${reason}`);
    const bye = composeBye(dialog, this.settings.local, reason);
    this.send(bye.text, bye.to);
    const stop = retransmit(
      () => this.send(bye.text, bye.to),
      this.timers,
      () => this.#byes.delete(bye.branch),
    );
    this.#byes.set(bye.branch, stop);
    this.#end(dialog);
  }

  // Hangs up every call and stops every timer.
  stop(): void {
    for (const dialog of [...this.#dialogs.values()]) this.hangUp(dialog, "service stopping");
    for (const pending of this.#pending.values()) {
      pending.dialog.state = "ended";
      pending.reply(503, "Service Unavailable", { toTag: pending.dialog.localTag });
    }
    this.#pending.clear();
    for (const stop of this.#byes.values()) stop();
    this.#byes.clear();
    this.#transactions.clear();
  }

  #refuse(failure: SipParseFailure, source: Address): void {
    const request = failure.request;
    const respondable = request !== undefined && request.method !== "ACK" && request.vias.length > 0;
    this.log(`${respondable ? "refused (400)" : "dropped"} datagram from ${source.address}:${source.port}: ${failure.reason}`);
    if (!respondable) return;
    this.send(composeResponse({ status: 400, reason: `Bad Request (${failure.reason})`, request, toTag: createToken().slice(0, 16) }), source);
  }

  #onResponse(response: SipResponse): void {
    const branch = response.topVia.params.get("branch");
    const stop = branch === undefined ? undefined : this.#byes.get(branch);
    if (stop && response.status >= 200) {
      stop();
      this.#byes.delete(branch!);
    }
  }

  #onRequest(request: SipRequest, source: Address): void {
    if (request.method === "ACK") return this.#onAck(request);
    const existing = this.#transactions.find(request);
    if (existing) {
      if (existing.lastResponse) this.send(existing.lastResponse, source);
      return;
    }
    const transaction = this.#transactions.begin(request);
    const reply: Reply = (status, reason, options = {}) => {
      const toTag = status === 100 ? undefined : (options.toTag ?? createToken().slice(0, 16));
      const text = composeResponse({ status, reason, request, toTag, extra: [...(options.extra ?? []), "Server: rtcgw-media"], body: options.body });
      transaction.lastResponse = text;
      this.send(text, source);
      // A final error to an INVITE is resent until its ACK arrives (RFC 3261 17.2.1).
      if (request.method === "INVITE" && status >= 300) transaction.stopRetransmission = retransmit(() => this.send(text, source), this.timers);
    };
    if (request.maxForwards === 0) return reply(483, "Too Many Hops");
    const require = findHeader(request.headers, "require");
    if (require !== undefined && request.method !== "CANCEL") return reply(420, "Bad Extension", { extra: [`Unsupported: ${require}`] });
    if (request.method === "OPTIONS") return reply(200, "OK", { extra: [allow, "Accept: application/sdp"] });
    if (request.method === "INVITE" && !request.to.params.has("tag")) return this.#onInvite(request, source, transaction, reply);
    if (request.method === "INVITE") return this.#onReInvite(request, reply);
    if (request.method === "BYE") return this.#onBye(request, reply);
    if (request.method === "CANCEL") return this.#onCancel(request, reply);
    reply(405, "Method Not Allowed", { extra: [allow] });
  }

  #onInvite(request: SipRequest, source: Address, transaction: ServerTransaction, reply: Reply): void {
    const target = findCallTarget(request.uri);
    if (!target) return reply(404, "Not Found");
    const offer = readOffer(request);
    if (offer === "unsupported type") return reply(415, "Unsupported Media Type", { extra: ["Accept: application/sdp"] });
    if (typeof offer === "string") return reply(488, "Not Acceptable Here", { extra: ['Warning: 305 rtcgw "Incompatible media format"'] });
    if (this.#dialogs.size + this.#pending.size >= this.settings.maxDialogs) return reply(503, "Service Unavailable", { extra: ["Retry-After: 5"] });
    const admission = this.media.admit(target);
    if (!admission.ok) return replyRefusal(reply, admission);
    const dialog = createDialog(request, target, source);
    const pending = { dialog, request, transaction, reply };
    this.#pending.set(transaction.key, pending);
    reply(100, "Trying");
    const answer = () => void this.#answer(pending, offer?.choice, offer?.description);
    if (this.settings.answerDelayMs > 0) this.timers.setTimeout(answer, this.settings.answerDelayMs);
    else answer();
  }

  async #answer(pending: PendingInvite, choice: AudioChoice | undefined, description: Offer["description"] | undefined): Promise<void> {
    const { dialog, reply } = pending;
    if (dialog.state === "ended") return;
    let leg: Awaited<ReturnType<MediaPort["open"]>>;
    try {
      leg = await this.media.open(dialog.target, choice, () => this.hangUp(dialog, "RTP timeout"));
    } catch (error) {
      this.#pending.delete(pending.transaction.key);
      this.log(`cannot open media for ${dialog.callId}: ${String(error)}`);
      return reply(500, "Server Internal Error", { toTag: dialog.localTag });
    }
    if ("ok" in leg) {
      this.#pending.delete(pending.transaction.key);
      if (!hasEnded(dialog)) replyRefusal(reply, leg, dialog.localTag);
      return;
    }
    // A CANCEL may have arrived while the socket was binding.
    if (hasEnded(dialog)) return leg.close();
    this.#pending.delete(pending.transaction.key);
    dialog.leg = leg;
    this.#dialogs.set(dialog.key, dialog);
    this.log(`answered ${dialog.callId} (${dialog.target.kind === "room" ? `room ${dialog.target.room}` : "music"})`);
    dialog.awaitingAnswer = choice === undefined;
    this.#sendOk(
      dialog,
      pending.request,
      pending.transaction,
      choice && description ? writeAnswer(description, choice, this.#localSdp(dialog)) : writeOffer(this.#localSdp(dialog)),
    );
  }

  #onReInvite(request: SipRequest, reply: Reply): void {
    const dialog = this.#findDialog(request);
    if (!dialog) return reply(481, "Call/Transaction Does Not Exist");
    if (request.cseq.number <= dialog.remoteCseq) return reply(500, "Server Internal Error", { extra: ["Retry-After: 1"] });
    dialog.remoteCseq = request.cseq.number;
    const offer = readOffer(request);
    if (offer === "unsupported type") return reply(415, "Unsupported Media Type", { extra: ["Accept: application/sdp"] });
    if (typeof offer === "string") return reply(488, "Not Acceptable Here", { extra: ['Warning: 305 rtcgw "Incompatible media format"'] });
    if (request.contact) dialog.remoteTarget = request.contact.uri;
    dialog.sdpVersion++;
    if (offer) dialog.leg?.update(offer.choice);
    dialog.awaitingAnswer = offer === undefined;
    this.log(`re-INVITE ${dialog.callId}: ${offer ? offer.choice.direction : "offer in 200"}`);
    const transaction = this.#transactions.find(request)!;
    this.#sendOk(
      dialog,
      request,
      transaction,
      offer ? writeAnswer(offer.description, offer.choice, this.#localSdp(dialog)) : writeOffer(this.#localSdp(dialog)),
    );
  }

  #onAck(request: SipRequest): void {
    const transaction = this.#transactions.find(request);
    transaction?.stopRetransmission?.();
    const dialog = this.#findDialog(request);
    if (!dialog || request.cseq.number !== dialog.remoteCseq) return;
    dialog.stopOkRetransmission?.();
    dialog.stopOkRetransmission = undefined;
    if (dialog.state === "answering") dialog.state = "confirmed";
    if (!dialog.awaitingAnswer) return;
    dialog.awaitingAnswer = false;
    const answer = request.body.trim() === "" ? "no answer in the ACK" : chooseAudio(request.body);
    if (typeof answer === "string") return this.hangUp(dialog, "unusable answer in the ACK");
    dialog.leg?.update(answer.choice);
  }

  #onBye(request: SipRequest, reply: Reply): void {
    const dialog = this.#findDialog(request);
    if (!dialog) return reply(481, "Call/Transaction Does Not Exist");
    reply(200, "OK");
    this.log(`BYE ${dialog.callId}`);
    this.#end(dialog);
  }

  #onCancel(request: SipRequest, reply: Reply): void {
    const inviteKey = `${request.branch}\n${request.topVia.sentBy}\nINVITE`;
    const pending = this.#pending.get(inviteKey);
    if (!pending) {
      // Already answered: the CANCEL has no effect but is acknowledged (RFC 3261 9.2).
      const answered = this.#transactions.find({ ...request, method: "INVITE" }) !== undefined;
      return answered ? reply(200, "OK") : reply(481, "Call/Transaction Does Not Exist");
    }
    this.#pending.delete(inviteKey);
    pending.dialog.state = "ended";
    reply(200, "OK", { toTag: pending.dialog.localTag });
    pending.reply(487, "Request Terminated", { toTag: pending.dialog.localTag });
    this.log(`CANCEL ${pending.dialog.callId}`);
  }

  #sendOk(dialog: Dialog, request: SipRequest, transaction: ServerTransaction, sdp: string): void {
    const { address, port } = this.settings.local;
    const extra = [`Contact: <sip:rtcgw@${address}:${port}>`, allow, "Server: rtcgw-media"];
    const text = composeResponse({ status: 200, reason: "OK", request, toTag: dialog.localTag, extra, body: { type: "application/sdp", content: sdp } });
    transaction.lastResponse = text;
    this.send(text, dialog.source);
    dialog.stopOkRetransmission?.();
    // The 2xx is the UAS core's to resend until the ACK (RFC 3261 13.3.1.4); no ACK in 64·T1 ends the call.
    dialog.stopOkRetransmission = retransmit(
      () => this.send(text, dialog.source),
      this.timers,
      () => this.hangUp(dialog, "no ACK"),
    );
  }

  #findDialog(request: SipRequest): Dialog | undefined {
    const dialog = this.#dialogs.get(dialogKey(request.callId, request.to.params.get("tag") ?? ""));
    return dialog && dialog.remoteHeader.includes(`tag=${request.from.params.get("tag")}`) ? dialog : undefined;
  }

  #localSdp(dialog: Dialog): LocalMedia {
    return {
      address: this.settings.local.address,
      port: dialog.leg?.port ?? 0,
      sessionId: dialog.sessionId,
      version: dialog.sdpVersion,
      ssrc: dialog.leg?.ssrc,
    };
  }

  #end(dialog: Dialog): void {
    dialog.state = "ended";
    dialog.stopOkRetransmission?.();
    dialog.stopOkRetransmission = undefined;
    dialog.leg?.close();
    this.#dialogs.delete(dialog.key);
  }
}

function replyRefusal(reply: Reply, refusal: Exclude<Admission, { ok: true }>, toTag?: string): void {
  if (refusal.status === 503) reply(503, "Service Unavailable", { toTag, extra: ["Retry-After: 30"] });
  else reply(486, "Busy Here", { toTag });
}

function hasEnded(dialog: Dialog): boolean {
  return dialog.state === "ended";
}
