/**
 * The background's logic, with the `browser` object passed in (a fake one in tests): which message a
 * tab shows, reading its raw bytes, asking the host, and answering the banner and the popup.
 * @module controller
 */

import { bytesToBase64 } from "./base64.js";
import { createTranslator } from "./i18n.js";
import { HostError } from "./protocol.js";
import { MAX_SENT_BYTES, readForHost } from "./raw.js";
import { failureView, pendingView, verdictView } from "./view.js";

/** Id of the registered message display script. */
export const SCRIPT_ID = "mekiki-banner";

/** The banner's files, in load order (the renderer first). */
export const BANNER_FILES = ["/ui/render.js", "/content/banner.js"];

/** The toolbar button's badge per level, so the verdict shows even with the banner scrolled away. */
export const BADGES = {
  dangerous: { text: "!!", color: "#c50042" },
  suspicious: { text: "!", color: "#c07600" },
  error: { text: "?", color: "#0061e0" },
  safe: { text: "", color: null },
  pending: { text: "", color: null },
};

/** Tab types that can display a message: the 3-pane, a message tab, a message window. */
const MESSAGE_TAB_TYPES = new Set(["mail", "messageDisplay"]);

/**
 * `onMessagesDisplayed` and `getDisplayedMessages` give a MessageList in Manifest V3 and an array before.
 * @param {any} displayed
 * @returns {Array<{id: number}>}
 */
export function displayedMessages(displayed) {
  if (Array.isArray(displayed)) return displayed;
  return Array.isArray(displayed?.messages) ? displayed.messages : [];
}

/**
 * @param {object} options
 * @param {any} options.browser the WebExtension API (`browser`/`messenger`)
 * @param {{analyze: (raw: string, ctx: object) => Promise<object>}} options.client host client
 * @param {() => number} [options.now]
 * @param {number} [options.maxSentBytes] larger messages go to the host as their header section
 */
export function createController({ browser, client, now = Date.now, maxSentBytes = MAX_SENT_BYTES }) {
  const t = createTranslator((key, subs) => browser.i18n.getMessage(key, subs));
  /** @type {Map<number, {messageId: number, view: Promise<import("./view.js").View>}>} by tab id */
  const byTab = new Map();

  /** Addresses of all the user's identities: the host uses them to tell the recipient from the sender. */
  async function identities() {
    const accounts = (await browser.accounts.list(false)) ?? [];
    const emails = accounts.flatMap((a) => (a.identities ?? []).map((i) => i.email)).filter(Boolean);
    return [...new Set(emails.map((e) => e.toLowerCase()))];
  }

  /**
   * @param {number} messageId
   * @param {number} displayedAt when the message was displayed (ms since epoch)
   * @returns {Promise<import("./view.js").View>} never rejects: failures become error views
   */
  async function analyze(messageId, displayedAt) {
    let raw;
    let messageSize;
    try {
      const read = await readForHost(await browser.messages.getRaw(messageId, { data_format: "File" }), maxSentBytes);
      raw = bytesToBase64(read.bytes);
      messageSize = read.messageSize;
    } catch (err) {
      return failureView("read-failed", String(err?.message || err), t, { messageId });
    }
    try {
      const context = { identities: await identities(), locale: browser.i18n.getUILanguage() };
      if (messageSize !== undefined) context.message_size = messageSize;
      const verdict = await client.analyze(raw, context);
      return { ...verdictView(verdict, t, { messageId }), displayedAt };
    } catch (err) {
      const code = err instanceof HostError ? err.code : "host-error";
      return { ...failureView(code, String(err?.message || err), t, { messageId }), displayedAt };
    }
  }

  /** Shows the level on the toolbar button of that tab (badge and tooltip). */
  async function showOnButton(tabId, view) {
    const action = browser.messageDisplayAction;
    const badge = BADGES[view.level] ?? BADGES.error;
    try {
      await action.setBadgeText({ tabId, text: badge.text });
      if (badge.color) await action.setBadgeBackgroundColor({ tabId, color: badge.color });
      await action.setTitle({ tabId, title: `${t("brandName")}: ${view.levelText}` });
    } catch {
      // The tab closed meanwhile: nothing to show it on.
    }
  }

  /** Starts (or reuses) the analysis of the message shown in a tab. */
  function track(tabId, messageId, force = false) {
    const current = byTab.get(tabId);
    if (current && current.messageId === messageId && !force) return current;
    const entry = { messageId, view: analyze(messageId, now()) };
    byTab.set(tabId, entry);
    entry.view.then((view) => {
      if (byTab.get(tabId) === entry) showOnButton(tabId, view);
    });
    return entry;
  }

  /**
   * The analysis for whatever single message the tab shows now; null when it shows none or several.
   * Asks Thunderbird rather than trusting the last display event, which may not have arrived yet.
   */
  async function entryForTab(tabId, force = false) {
    const messages = displayedMessages(await browser.messageDisplay.getDisplayedMessages(tabId));
    if (messages.length !== 1) {
      byTab.delete(tabId);
      return null;
    }
    return track(tabId, messages[0].id, force);
  }

  return {
    /** `messageDisplay.onMessagesDisplayed`: start analyzing before the banner even asks. */
    onMessagesDisplayed(tab, displayed) {
      const messages = displayedMessages(displayed);
      if (messages.length === 1) track(tab.id, messages[0].id);
      else byTab.delete(tab.id);
    },

    /** `tabs.onRemoved`: forget the tab. */
    onTabRemoved(tabId) {
      byTab.delete(tabId);
    },

    /**
     * `runtime.onMessage` from the banner and the popup.
     * @returns {Promise<any>|undefined} the reply, or undefined for messages that are not ours
     */
    onRuntimeMessage(msg, sender) {
      switch (msg?.type) {
        case "mekiki:pending":
          return Promise.resolve(pendingView(t));
        case "mekiki:verdict": {
          const tabId = sender?.tab?.id;
          return entryForTab(tabId).then(
            (entry) => entry?.view ?? failureView("read-failed", "no single message is displayed", t),
            (err) => failureView("read-failed", String(err?.message || err), t),
          );
        }
        case "mekiki:get":
          return entryForTab(msg.tabId).then((entry) => entry?.view ?? null);
        case "mekiki:reanalyze":
          return entryForTab(msg.tabId, true).then(async (entry) => {
            if (!entry) return null;
            const view = await entry.view;
            // The banner may be gone (tab closed, message changed): nothing to update then.
            await browser.tabs.sendMessage(msg.tabId, { type: "mekiki:view", view }).catch(() => {});
            return view;
          });
        default:
          return undefined;
      }
    },

    /**
     * Registers the banner for messages displayed from now on, and injects it into the messages
     * already on screen (registered scripts only apply to newly displayed messages).
     */
    async start() {
      const display = browser.scripting.messageDisplay;
      // Filtered here: asking for an unknown id logs an error in Thunderbird.
      const existing = (await display.getRegisteredScripts()).filter((script) => script.id === SCRIPT_ID);
      if (existing.length > 0) await display.unregisterScripts({ ids: [SCRIPT_ID] });
      await display.registerScripts([{ id: SCRIPT_ID, js: BANNER_FILES, runAt: "document_end" }]);

      const tabs = await browser.tabs.query({});
      await Promise.all(
        tabs
          .filter((tab) => MESSAGE_TAB_TYPES.has(tab.type))
          .map(async (tab) => {
            try {
              const messages = displayedMessages(await browser.messageDisplay.getDisplayedMessages(tab.id));
              if (messages.length !== 1) return;
              await browser.scripting.executeScript({ target: { tabId: tab.id }, files: BANNER_FILES });
            } catch (err) {
              console.warn(`mekiki: cannot add the banner to tab ${tab.id}:`, err);
            }
          }),
      );
    },
  };
}
