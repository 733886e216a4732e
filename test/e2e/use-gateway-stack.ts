// The end-to-end tests' shared fixture: one gateway stack per test file, started in `before` with its
// browsers registered, stopped in `after`. Tests read `gw.stack` and `gw.browser(user)`.
import { after, before } from "node:test";
import assert from "node:assert/strict";
import type { Recipe } from "../../dsl/resolve.ts";
import { startBrowser, type Browser } from "../harness/browser.ts";
import { pbxPassword, startGatewayStack, type GatewayStack, type StackOptions } from "../harness/gateway-stack.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";

/** What a test file's gateway looks like. */
export interface GatewayFixtureOptions extends StackOptions {
  /** The recipe (default: `buildE2eRecipe()`). */
  recipe?: Recipe;
  /** Browsers registered (in this order) before the first test, by user name. */
  browsers?: string[];
  /** The listener the browsers use: Kamailio's loopback WS behind the agent (default) or the recipe's own WS port. */
  browserListener?: "loopback" | "ws";
}

/** The running fixture, readable inside tests. */
export interface GatewayFixture {
  readonly stack: GatewayStack;
  /** Resolves once the stack runs and its browsers are registered: for the file's own `before` hooks (Node 20 may start them before this one ends). */
  started(): Promise<GatewayStack>;
  /** A registered browser by user name; the first one when no name is given. */
  browser(user?: string): Browser;
}

// Registers the `before`/`after` hooks of a test file's gateway and returns its handle.
export function useGatewayStack(options: GatewayFixtureOptions = {}): GatewayFixture {
  let stack: GatewayStack | undefined;
  const browsers = new Map<string, Browser>();
  let markStarted!: (stack: GatewayStack) => void;
  let markFailed!: (error: unknown) => void;
  const started = new Promise<GatewayStack>((resolve, reject) => ((markStarted = resolve), (markFailed = reject)));
  started.catch(() => {});
  before(
    async () => {
      try {
        stack = await startGatewayStack(options.recipe ?? buildE2eRecipe(), options);
        const port = options.browserListener === "ws" ? stack.gatewayPorts.ws : stack.gatewayPorts.loopback;
        for (const user of options.browsers ?? []) {
          const browser = await startBrowser(`ws://127.0.0.1:${port}`, user, e2eDomain, pbxPassword);
          browsers.set(user, browser);
          assert.equal(await browser.register(), 200, `browser ${user} registers through the gateway`);
        }
        markStarted(stack);
      } catch (error) {
        markFailed(error);
        throw error;
      }
    },
    { timeout: 60_000 },
  );
  after(async () => {
    for (const browser of browsers.values()) browser.stop();
    await stack?.stop();
  });
  return {
    started: () => started,
    get stack() {
      if (!stack) throw new Error("the gateway stack is not started yet (use it inside a test or a later hook)");
      return stack;
    },
    browser(user) {
      const browser = user === undefined ? browsers.values().next().value : browsers.get(user);
      if (!browser) throw new Error(`no browser ${user ?? ""} in this fixture (registered: ${[...browsers.keys()].join(", ")})`);
      return browser;
    },
  };
}
