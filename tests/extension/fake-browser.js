// A fake `browser` object for the extension's unit tests: real locale files behind i18n, a scriptable
// native port behind runtime.connectNative, and in-memory messages, tabs and accounts.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../extension");

/** Reads `_locales/<lang>/messages.json`. */
export function loadLocale(lang) {
  return JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, "_locales", lang, "messages.json"), "utf8"));
}

/**
 * `browser.i18n.getMessage` over a real locale file, with `$NAME$` placeholders resolved like Firefox.
 * @param {string} lang
 */
export function getMessageFor(lang) {
  const messages = loadLocale(lang);
  return (key, substitutions = []) => {
    const entry = messages[key];
    if (!entry) return "";
    const subs = Array.isArray(substitutions) ? substitutions : [substitutions];
    return entry.message.replace(/\$([A-Za-z0-9_]+)\$/g, (whole, name) => {
      const content = entry.placeholders?.[name.toLowerCase()]?.content;
      if (!content) return whole;
      return content.replace(/\$(\d+)/g, (_, n) => String(subs[Number(n) - 1] ?? ""));
    });
  };
}

/** A listener list like WebExtension events have. */
export function fakeEvent() {
  const listeners = [];
  return {
    listeners,
    addListener: (fn) => listeners.push(fn),
    removeListener: (fn) => listeners.splice(listeners.indexOf(fn) >>> 0, 1),
    fire: (...args) => listeners.map((fn) => fn(...args)),
  };
}

/** A native-messaging port whose other end the test plays. */
export class FakePort {
  constructor() {
    this.sent = [];
    this.onMessage = fakeEvent();
    this.onDisconnect = fakeEvent();
    this.error = null;
    this.disconnected = false;
  }
  postMessage(msg) {
    if (this.disconnected) throw new Error("Attempt to postMessage on disconnected port");
    this.sent.push(structuredClone(msg));
  }
  /** The extension closed the port (the browser would end the host). */
  disconnect() {
    this.disconnected = true;
  }
  /** The host sends a frame. */
  reply(msg) {
    this.onMessage.fire(structuredClone(msg));
  }
  /** The host went away; `message` is what Firefox puts in port.error. */
  drop(message = null) {
    this.disconnected = true;
    this.error = message ? { message } : null;
    this.onDisconnect.fire(this);
  }
  /** The requests sent after the hello. */
  requests() {
    return this.sent.filter((m) => m.type !== "hello");
  }
}

/**
 * A fake `browser` for the background controller.
 * @param {object} [options]
 * @param {string} [options.lang] UI language
 * @param {Record<number, Uint8Array|Error>} [options.raw] message id → raw bytes (or the error getRaw throws)
 * @param {Record<number, number[]>} [options.displayed] tab id → ids of displayed messages
 * @param {Array<{id: number, type: string}>} [options.tabs]
 * @param {string[][]} [options.identities] per account, the identities' addresses
 */
export function createFakeBrowser({
  lang = "en",
  raw = {},
  displayed = {},
  tabs = [],
  identities = [["Me@Example.jp", "alias@example.jp"], ["other@example.org"]],
} = {}) {
  const calls = { getRaw: [], executeScript: [], registerScripts: [], unregisterScripts: [], sendMessage: [], button: [] };
  const registered = [];
  const browser = {
    calls,
    registered,
    ports: [],
    i18n: { getMessage: getMessageFor(lang), getUILanguage: () => lang },
    accounts: {
      list: async () =>
        identities.map((emails, n) => ({ id: `account${n + 1}`, identities: emails.map((email) => ({ email })) })),
    },
    messages: {
      async getRaw(id, options) {
        calls.getRaw.push({ id, options });
        const value = raw[id];
        if (value instanceof Error) throw value;
        if (!value) throw new Error(`message ${id} not found`);
        return new Blob([value]);
      },
    },
    messageDisplayAction: {
      setBadgeText: async (details) => void calls.button.push({ badge: details }),
      setBadgeBackgroundColor: async (details) => void calls.button.push({ color: details }),
      setTitle: async (details) => void calls.button.push({ title: details }),
    },
    messageDisplay: {
      onMessagesDisplayed: fakeEvent(),
      async getDisplayedMessages(tabId) {
        return { id: null, messages: (displayed[tabId] ?? []).map((id) => ({ id })) };
      },
    },
    scripting: {
      async executeScript(injection) {
        calls.executeScript.push(injection);
        return [];
      },
      messageDisplay: {
        async getRegisteredScripts(filter) {
          return registered.filter((s) => !filter?.ids || filter.ids.includes(s.id));
        },
        async registerScripts(scripts) {
          calls.registerScripts.push(scripts);
          for (const s of scripts) {
            if (registered.some((r) => r.id === s.id)) throw new Error(`script ${s.id} already registered`);
            registered.push(s);
          }
        },
        async unregisterScripts(filter) {
          calls.unregisterScripts.push(filter);
          for (const id of filter.ids) registered.splice(registered.findIndex((r) => r.id === id) >>> 0, 1);
        },
      },
    },
    tabs: {
      onRemoved: fakeEvent(),
      async query() {
        return tabs;
      },
      async sendMessage(tabId, msg) {
        calls.sendMessage.push({ tabId, msg });
      },
    },
    runtime: {
      onMessage: fakeEvent(),
      connectNative(name) {
        const port = new FakePort();
        port.name = name;
        browser.ports.push(port);
        return port;
      },
    },
  };
  return browser;
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise((resolve) => setImmediate(resolve));
