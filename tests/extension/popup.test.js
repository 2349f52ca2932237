// The message_display_action popup in a real DOM (jsdom): popup.html, the shared renderer, and
// popup.js imported as the module it is, against a fake browser.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { JSDOM } from "jsdom";
import { createTranslator } from "../../extension/lib/i18n.js";
import { verdictView } from "../../extension/lib/view.js";
import { EXTENSION_DIR, flush, getMessageFor } from "./fake-browser.js";
import { ACTIVE, HOSTILE_VERDICT, IMG, JS_URL, SCRIPT, dangerousAttributes } from "./hostile.js";

const t = createTranslator(getMessageFor("en"));
const html = fs.readFileSync(path.join(EXTENSION_DIR, "popup/popup.html"), "utf8");
const dom = new JSDOM(html, { runScripts: "outside-only" });
dom.window.eval(fs.readFileSync(path.join(EXTENSION_DIR, "ui/render.js"), "utf8"));

const first = verdictView(HOSTILE_VERDICT, t, { messageId: 11 });
const second = verdictView({ level: "safe", score: 0, summary: "", findings: [], facts: {} }, t, { messageId: 11 });
const sent = [];
let reanalyzeResult = second;

globalThis.document = dom.window.document;
globalThis.MekikiRender = dom.window.MekikiRender;
globalThis.browser = {
  i18n: { getMessage: getMessageFor("en"), getUILanguage: () => "en" },
  tabs: { query: async () => [{ id: 3, type: "messageDisplay" }] },
  runtime: {
    sendMessage: async (msg) => {
      sent.push(msg);
      return msg.type === "mekiki:get" ? first : reanalyzeResult;
    },
  },
};
await import("../../extension/popup/popup.js");
for (let i = 0; i < 10; i++) await flush();

const doc = dom.window.document;

test("static text comes from the locale through data-i18n", () => {
  assert.equal(doc.getElementById("findings-heading").textContent, "Findings");
  assert.equal(doc.getElementById("facts-heading").textContent, "Facts");
  assert.equal(doc.getElementById("reanalyze").textContent, "Re-analyze");
  assert.equal(doc.documentElement.lang, "en");
});

test("asks for the verdict of the active tab and shows every finding with its evidence", () => {
  assert.deepEqual(sent[0], { type: "mekiki:get", tabId: 3 });
  assert.equal(doc.getElementById("level").dataset.level, "dangerous");
  assert.equal(doc.querySelectorAll("#findings li.finding").length, HOSTILE_VERDICT.findings.length);
  assert.equal(doc.querySelectorAll("#findings .evidence dt").length, 4);
});

test("facts: sender, links, attachments", () => {
  const text = doc.getElementById("facts").textContent;
  assert.ok(text.includes(`${IMG} Bank <a@b.example>`));
  assert.ok(text.includes(`${IMG} \u2192 ${JS_URL}`));
  assert.ok(text.includes("invoice\u27e8U+202E\u27e9fdp.exe (text/html, 10 B)"));
});

test("hostile text renders literally in the popup: no markup, no link, no handler", () => {
  assert.equal(doc.body.querySelectorAll(ACTIVE).length, 0);
  assert.deepEqual(dangerousAttributes(doc.body), []);
  const text = doc.body.textContent;
  assert.ok(text.includes(SCRIPT));
  assert.ok(!text.includes("\u202E") && !text.includes("\u200B"));
  assert.equal(dom.window.pwned, undefined);
});

test("Re-analyze asks the background again and shows the new verdict", async () => {
  doc.getElementById("reanalyze").click();
  for (let i = 0; i < 10; i++) await flush();
  assert.deepEqual(sent.at(-1), { type: "mekiki:reanalyze", tabId: 3 });
  assert.equal(doc.getElementById("level").dataset.level, "safe");
  assert.equal(doc.querySelectorAll("#findings li.finding").length, 0);
  assert.equal(doc.getElementById("findings").textContent, "Nothing suspicious was found.");
  assert.equal(doc.getElementById("reanalyze").disabled, false);
});
