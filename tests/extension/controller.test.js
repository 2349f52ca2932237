import assert from "node:assert/strict";
import { test } from "node:test";
import { BANNER_FILES, SCRIPT_ID, createController, displayedMessages } from "../../extension/lib/controller.js";
import { HostClient } from "../../extension/lib/protocol.js";
import { createFakeBrowser, flush } from "./fake-browser.js";

const RAW = Uint8Array.from([...new TextEncoder().encode("Subject: hi\r\n\r\n"), 0x82, 0xa0, 0xff]);

function setup(options = {}) {
  const browser = createFakeBrowser({ raw: { 11: RAW }, displayed: { 3: [11] }, ...options });
  const client = new HostClient({ connect: () => browser.runtime.connectNative("mekiki"), timeoutMs: 1000 });
  let clock = 1000;
  const controller = createController({ browser, client, now: () => clock });
  return { browser, client, controller, advance: (ms) => (clock += ms) };
}

/** Plays the host: answers the next analyze request on the newest port. */
async function answer(browser, reply, before = 0) {
  // getRaw and Blob reads take a few turns of the event loop; wait for the request to go out.
  for (let i = 0; i < 100 && !(browser.ports.at(-1)?.requests().length > before); i++) await flush();
  const port = browser.ports.at(-1);
  const request = port.requests().at(-1);
  port.reply({ id: request.id, ...reply });
  return request;
}

test("MessageList (MV3) and plain arrays both give the displayed messages", () => {
  assert.deepEqual(displayedMessages({ id: null, messages: [{ id: 1 }] }), [{ id: 1 }]);
  assert.deepEqual(displayedMessages([{ id: 2 }]), [{ id: 2 }]);
  assert.deepEqual(displayedMessages(undefined), []);
});

test("display event → getRaw as a File → base64 bytes and the context to the host → verdict view to the banner", async () => {
  const { browser, controller } = setup();
  controller.onMessagesDisplayed({ id: 3 }, { id: null, messages: [{ id: 11 }] });
  const viewPromise = controller.onRuntimeMessage({ type: "mekiki:verdict" }, { tab: { id: 3 } });
  const request = await answer(browser, { type: "verdict", verdict: { level: "dangerous", score: 90, summary: "bad", findings: [], facts: {} } });
  assert.deepEqual(browser.calls.getRaw, [{ id: 11, options: { data_format: "File" } }], "read once, as a File");
  assert.equal(request.type, "analyze");
  assert.equal(request.raw, Buffer.from(RAW).toString("base64"), "8-bit bytes survive");
  assert.deepEqual(request.context, { identities: ["me@example.jp", "alias@example.jp", "other@example.org"], locale: "en" });
  const view = await viewPromise;
  assert.equal(view.level, "dangerous");
  assert.equal(view.messageId, 11);
  assert.equal(view.displayedAt, 1000);
  assert.equal(browser.ports.length, 1);
  assert.equal(browser.ports[0].name, "mekiki");
});

test("a message over the size limit goes to the host as its header section with its size", async () => {
  const big = Uint8Array.from([...new TextEncoder().encode("Subject: big\r\n\r\n"), ...new Uint8Array(4096)]);
  const browser = createFakeBrowser({ raw: { 11: big }, displayed: { 3: [11] } });
  const client = new HostClient({ connect: () => browser.runtime.connectNative("mekiki"), timeoutMs: 1000 });
  const controller = createController({ browser, client, maxSentBytes: 1024 });
  controller.onMessagesDisplayed({ id: 3 }, { messages: [{ id: 11 }] });
  const viewPromise = controller.onRuntimeMessage({ type: "mekiki:verdict" }, { tab: { id: 3 } });
  const request = await answer(browser, { type: "verdict", verdict: { level: "safe", score: 0, summary: "", findings: [], facts: {} } });
  assert.equal(Buffer.from(request.raw, "base64").toString(), "Subject: big\r\n\r\n");
  assert.equal(request.context.message_size, big.length);
  assert.equal((await viewPromise).level, "safe");
});

test("the banner asking before the display event still gets the verdict, analyzed once", async () => {
  const { browser, controller } = setup();
  const first = controller.onRuntimeMessage({ type: "mekiki:verdict" }, { tab: { id: 3 } });
  await flush();
  controller.onMessagesDisplayed({ id: 3 }, { messages: [{ id: 11 }] });
  await answer(browser, { type: "verdict", verdict: { level: "safe", score: 0, summary: "", findings: [], facts: {} } });
  assert.equal((await first).level, "safe");
  assert.equal(browser.calls.getRaw.length, 1);
  assert.equal(browser.ports[0].requests().length, 1);
});

test("Japanese UI language is passed as the locale", async () => {
  const { browser, controller } = setup({ lang: "ja" });
  const pending = controller.onRuntimeMessage({ type: "mekiki:verdict" }, { tab: { id: 3 } });
  const request = await answer(browser, { type: "verdict", verdict: { level: "safe", score: 0, summary: "", findings: [], facts: {} } });
  assert.equal(request.context.locale, "ja");
  assert.equal((await pending).levelText, "不審な点なし");
});

test("the host not installed → an error banner with the install command", async () => {
  const { browser, controller } = setup();
  const pending = controller.onRuntimeMessage({ type: "mekiki:verdict" }, { tab: { id: 3 } });
  for (let i = 0; i < 100 && browser.ports.length === 0; i++) await flush();
  browser.ports[0].drop("No such native application mekiki");
  const view = await pending;
  assert.equal(view.level, "error");
  assert.equal(view.errorCode, "host-missing");
  assert.equal(view.help.command, "mekiki install");
});

test("an error reply from the host → an error banner that quotes it", async () => {
  const { browser, controller } = setup();
  const pending = controller.onRuntimeMessage({ type: "mekiki:verdict" }, { tab: { id: 3 } });
  await answer(browser, { type: "error", code: "internal", message: "engine failed" });
  const view = await pending;
  assert.equal(view.errorCode, "host-error");
  assert.match(view.summary, /engine failed/);
});

test("getRaw failing → a read-failed banner, and the host is not bothered", async () => {
  const { browser, controller } = setup({ raw: { 11: new Error("message deleted") } });
  const view = await controller.onRuntimeMessage({ type: "mekiki:verdict" }, { tab: { id: 3 } });
  assert.equal(view.errorCode, "read-failed");
  assert.match(view.summary, /message deleted/);
  assert.equal(browser.ports.length, 0);
});

test("several messages selected → no analysis; the popup gets null", async () => {
  const { browser, controller } = setup({ displayed: { 3: [11, 12] } });
  controller.onMessagesDisplayed({ id: 3 }, { messages: [{ id: 11 }, { id: 12 }] });
  assert.equal(await controller.onRuntimeMessage({ type: "mekiki:get", tabId: 3 }, {}), null);
  assert.equal(browser.calls.getRaw.length, 0);
});

test("re-analyze asks the host again and pushes the fresh view to the banner in that tab", async () => {
  const { browser, controller } = setup();
  const first = controller.onRuntimeMessage({ type: "mekiki:get", tabId: 3 }, {});
  await answer(browser, { type: "verdict", verdict: { level: "suspicious", score: 40, summary: "", findings: [], facts: {} } });
  assert.equal((await first).level, "suspicious");
  const again = controller.onRuntimeMessage({ type: "mekiki:reanalyze", tabId: 3 }, {});
  await answer(browser, { type: "verdict", verdict: { level: "dangerous", score: 80, summary: "", findings: [], facts: {} } }, 1);
  const view = await again;
  assert.equal(view.level, "dangerous");
  assert.equal(browser.calls.getRaw.length, 2);
  assert.deepEqual(browser.calls.sendMessage, [{ tabId: 3, msg: { type: "mekiki:view", view } }]);
});

test("the pending view answers at once; unknown messages are not ours", async () => {
  const { controller } = setup();
  assert.equal((await controller.onRuntimeMessage({ type: "mekiki:pending" }, {})).level, "pending");
  assert.equal(controller.onRuntimeMessage({ type: "other" }, {}), undefined);
  assert.equal(controller.onRuntimeMessage(null, {}), undefined);
});

test("start registers the banner script (replacing an old registration) and injects it into open message tabs", async () => {
  const { browser, controller } = setup({
    displayed: { 1: [5], 2: [], 4: [6] },
    tabs: [
      { id: 1, type: "mail" },
      { id: 2, type: "mail" },
      { id: 3, type: "addressBook" },
      { id: 4, type: "messageDisplay" },
    ],
  });
  browser.registered.push({ id: SCRIPT_ID, js: ["/old.js"] });
  await controller.start();
  assert.deepEqual(browser.calls.unregisterScripts, [{ ids: [SCRIPT_ID] }]);
  assert.deepEqual(browser.registered, [{ id: SCRIPT_ID, js: BANNER_FILES, runAt: "document_end" }]);
  assert.deepEqual(
    browser.calls.executeScript.map((i) => i.target.tabId).sort(),
    [1, 4],
    "only tabs that show exactly one message",
  );
  assert.deepEqual(browser.calls.executeScript[0].files, BANNER_FILES);
});

test("a closed tab is forgotten", async () => {
  const { browser, controller } = setup();
  controller.onMessagesDisplayed({ id: 3 }, { messages: [{ id: 11 }] });
  await answer(browser, { type: "verdict", verdict: { level: "safe", score: 0, summary: "", findings: [], facts: {} } });
  controller.onTabRemoved(3);
  const pending = controller.onRuntimeMessage({ type: "mekiki:get", tabId: 3 }, {});
  await answer(browser, { type: "verdict", verdict: { level: "safe", score: 0, summary: "", findings: [], facts: {} } }, 1);
  await pending;
  assert.equal(browser.ports[0].requests().length, 2);
  assert.equal(browser.calls.getRaw.length, 2, "analyzed afresh after the tab was forgotten");
});

test("the toolbar button shows the level of the message in its tab", async () => {
  const { browser, controller } = setup();
  const pending = controller.onRuntimeMessage({ type: "mekiki:verdict" }, { tab: { id: 3 } });
  await answer(browser, { type: "verdict", verdict: { level: "dangerous", score: 90, summary: "", findings: [], facts: {} } });
  await pending;
  await flush();
  assert.deepEqual(browser.calls.button, [
    { badge: { tabId: 3, text: "!!" } },
    { color: { tabId: 3, color: "#c50042" } },
    { title: { tabId: 3, title: "Mekiki: Dangerous — likely phishing" } },
  ]);
});

test("a verdict that arrives after the tab moved on to another message does not touch the button", async () => {
  const { browser, controller } = setup({ raw: { 11: RAW, 12: RAW } });
  controller.onMessagesDisplayed({ id: 3 }, { messages: [{ id: 11 }] });
  controller.onMessagesDisplayed({ id: 3 }, { messages: [{ id: 12 }] });
  for (let i = 0; i < 100 && !(browser.ports.at(-1)?.requests().length >= 2); i++) await flush();
  const [first, second] = browser.ports[0].requests();
  browser.ports[0].reply({ type: "verdict", id: first.id, verdict: { level: "dangerous", score: 90, summary: "", findings: [], facts: {} } });
  browser.ports[0].reply({ type: "verdict", id: second.id, verdict: { level: "safe", score: 0, summary: "", findings: [], facts: {} } });
  for (let i = 0; i < 5; i++) await flush();
  assert.deepEqual(browser.calls.button.map((c) => c.badge?.text).filter((t) => t !== undefined), [""]);
});
