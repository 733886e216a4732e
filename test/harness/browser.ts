// The end-to-end tests' browser: the product's browser stand-in (image/smoke/webrtc-browser.ts, which the boot
// test calls through the VM with) with its media on loopback, where the test gateway's rtpengine listens.
import { startBrowser as startBrowserOn, type Browser, type BrowserOptions } from "../../image/smoke/webrtc-browser.ts";

export { connectionOf, CountingPeerConnection, rejectedMids, type Browser } from "../../image/smoke/webrtc-browser.ts";

/** Where a loopback browser runs (its media address is always 127.0.0.1). */
export type LoopbackBrowserOptions = Omit<BrowserOptions, "mediaAddress">;

// Starts a browser for `user@domain` connected to `url`, its ICE candidates on 127.0.0.1.
export function startBrowser(url: string, user: string, domain: string, password: string, options: LoopbackBrowserOptions = {}): Promise<Browser> {
  return startBrowserOn(url, user, domain, password, { mediaAddress: "127.0.0.1", ...options });
}
