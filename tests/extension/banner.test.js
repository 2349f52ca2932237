// The banner in a real DOM (jsdom): the message display script and renderer loaded as Thunderbird
// loads them, into a document that stands for the message.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { JSDOM } from "jsdom";
import { createTranslator } from "../../extension/lib/i18n.js";
import { failureView, pendingView, verdictView } from "../../extension/lib/view.js";
import { EXTENSION_DIR, flush, getMessageFor } from "./fake-browser.js";
import { ACTIVE, HOSTILE_VERDICT, IMG, JS_URL, LONG, SCRIPT, dangerousAttributes } from "./hostile.js";

const t = createTranslator(getMessageFor("en"));
const source = (file) => fs.readFileSync(path.join(EXTENSION_DIR, file), "utf8");

/** A message document with the renderer loaded, like a message display script sees it. */
function messageDom(body = "<p>Hello</p>") {
  const dom = new JSDOM(`<!DOCTYPE html><html><head></head><body>${body}</body></html>`, { runScripts: "outside-only" });
  dom.window.eval(source("ui/render.js"));
  return dom;
}

const bar = (host) => host.shadowRoot.querySelector("section.bar");

test("the banner is the first thing in the message body, found by #mekiki-banner[data-level]", () => {
  const dom = messageDom();
  const view = verdictView({ level: "safe", score: 0, summary: "", findings: [], facts: {} }, t);
  dom.window.MekikiRender.showBanner(dom.window.document, view);
  const host = dom.window.document.querySelector("#mekiki-banner[data-level]");
  assert.ok(host);
  assert.equal(host.dataset.level, "safe");
  assert.equal(dom.window.document.body.firstElementChild, host);
  assert.match(bar(host).textContent, /No signs of phishing/);
  assert.equal(bar(host).getAttribute("role"), "status", "a safe verdict is announced politely");
});

test("a dangerous verdict: colour hook, icon, word, summary, top three findings, and an alert for screen readers", () => {
  const dom = messageDom();
  const view = verdictView(HOSTILE_VERDICT, t);
  const host = dom.window.MekikiRender.showBanner(dom.window.document, view);
  const section = bar(host);
  assert.equal(host.dataset.level, "dangerous");
  assert.equal(section.dataset.level, "dangerous");
  assert.equal(section.getAttribute("role"), "alert");
  assert.equal(section.querySelector(".icon").getAttribute("aria-hidden"), "true");
  assert.match(section.querySelector(".level").textContent, /Dangerous/);
  assert.equal(section.querySelectorAll("ul.top > li").length, 3);
  assert.equal(section.querySelector(".more").textContent, "1 more in Details.");
});

test("a finding set aside by the host says so in the details, as text", () => {
  const dom = messageDom();
  const finding = (id, severity, waived) => ({ id, severity, score: 0, title: `title ${id}`, explanation: "e", evidence: [], waived });
  const verdict = {
    level: "safe",
    score: 0,
    summary: "",
    findings: [finding("content.lure_verify", "low", true), finding("auth.brand_verified", "info", false)],
    facts: {},
  };
  dom.window.MekikiRender.showBanner(dom.window.document, verdictView(verdict, t));
  const root = dom.window.document.querySelector("#mekiki-banner").shadowRoot;
  const marked = [...root.querySelectorAll("li.finding")].map((li) => [li.dataset.finding, li.querySelector(".waived")?.textContent]);
  assert.deepEqual(marked, [
    ["auth.brand_verified", undefined],
    ["content.lure_verify", "not counted"],
  ]);
});

test("hostile text renders literally: no markup, no script, no link, no handler anywhere", () => {
  const dom = messageDom();
  const host = dom.window.MekikiRender.showBanner(dom.window.document, verdictView(HOSTILE_VERDICT, t));
  for (const root of [host.shadowRoot, dom.window.document]) {
    assert.equal(root.querySelectorAll(ACTIVE).length, 0);
    assert.deepEqual(dangerousAttributes(root), []);
  }
  const text = bar(host).textContent;
  assert.ok(text.includes(IMG), "the <img> payload is shown as text");
  assert.ok(text.includes(SCRIPT), "the </div><script> payload is shown as text");
  assert.ok(text.includes(JS_URL), "the javascript: URL is shown as text, not a link");
  assert.equal(dom.window.pwned, undefined);
});

test("bidi overrides and zero-width characters are visible in the evidence", () => {
  const dom = messageDom();
  const host = dom.window.MekikiRender.showBanner(dom.window.document, verdictView(HOSTILE_VERDICT, t));
  const evidence = [...host.shadowRoot.querySelectorAll(".evidence dd")].map((dd) => dd.textContent);
  assert.ok(evidence.includes("invoice\u27e8U+202E\u27e9fdp.exe"));
  assert.ok(evidence.includes("pay\u27e8U+200B\u27e9pal.com"));
  assert.ok(!bar(host).textContent.includes("\u202E"), "no live override anywhere in the banner");
  assert.ok(!bar(host).textContent.includes("\u200B"));
});

test("a 100,000-character value is clipped with a note, not dumped", () => {
  const dom = messageDom();
  const host = dom.window.MekikiRender.showBanner(dom.window.document, verdictView(HOSTILE_VERDICT, t));
  const text = bar(host).textContent;
  assert.ok(!text.includes(LONG));
  assert.ok(text.length < 10000, `banner text is ${text.length} characters`);
  assert.match(text, /\(98000 more characters\)/);
});

test("Details is a real button: keyboard reachable, toggles the full list and says so", () => {
  const dom = messageDom();
  const host = dom.window.MekikiRender.showBanner(dom.window.document, verdictView(HOSTILE_VERDICT, t));
  const toggle = host.shadowRoot.querySelector("button.toggle");
  const details = host.shadowRoot.querySelector(".details");
  assert.equal(toggle.type, "button");
  assert.equal(toggle.getAttribute("aria-controls"), details.id);
  assert.equal(details.hidden, true);
  assert.equal(toggle.getAttribute("aria-expanded"), "false");
  toggle.click();
  assert.equal(details.hidden, false);
  assert.equal(toggle.getAttribute("aria-expanded"), "true");
  assert.equal(toggle.textContent, "Hide details");
  assert.equal(details.querySelectorAll("li.finding").length, 4, "all findings, not just the top three");
  toggle.click();
  assert.equal(details.hidden, true);
});

test("the message cannot hide the banner with CSS or spoof it with its own #mekiki-banner", () => {
  const dom = messageDom(`<style>#mekiki-banner, div { display: none !important; opacity: 0 !important }</style>
    <div id="mekiki-banner" data-level="safe">Mekiki: safe</div>`);
  const doc = dom.window.document;
  const host = dom.window.MekikiRender.showBanner(doc, verdictView(HOSTILE_VERDICT, t));
  const matches = doc.querySelectorAll("#mekiki-banner");
  assert.equal(matches.length, 1);
  assert.equal(matches[0], host);
  for (const property of ["display", "visibility", "opacity"]) {
    assert.equal(host.style.getPropertyPriority(property), "important", property);
  }
  assert.equal(dom.window.getComputedStyle(host).display, "block");
});

test("re-rendering replaces the content in place: one banner, one bar", () => {
  const dom = messageDom();
  const { showBanner } = dom.window.MekikiRender;
  showBanner(dom.window.document, pendingView(t));
  const host = showBanner(dom.window.document, verdictView(HOSTILE_VERDICT, t));
  assert.equal(dom.window.document.querySelectorAll("#mekiki-banner").length, 1);
  assert.equal(host.shadowRoot.querySelectorAll("section.bar").length, 1);
  const error = showBanner(dom.window.document, failureView("host-missing", "", t));
  assert.equal(error, host);
  assert.equal(host.dataset.level, "error");
  assert.equal(host.dataset.error, "host-missing");
  assert.equal(host.shadowRoot.querySelector(".help code").textContent, "mekiki install");
  showBanner(dom.window.document, verdictView({ level: "safe", score: 0, findings: [], facts: {} }, t));
  assert.equal(host.dataset.error, undefined, "the error marker goes away with the error");
});

/** Loads the message display script with a fake runtime that answers like the background. */
function runContentScript(answers) {
  const dom = messageDom();
  const listeners = [];
  const sent = [];
  dom.window.browser = {
    runtime: {
      sendMessage: async (msg) => {
        sent.push(msg);
        const answer = answers[msg.type];
        if (answer instanceof Error) throw answer;
        return answer;
      },
      onMessage: { addListener: (fn) => listeners.push(fn) },
    },
    i18n: { getMessage: getMessageFor("en") },
  };
  dom.window.eval(source("content/banner.js"));
  return { dom, listeners, sent };
}

test("content script: shows 'checking' then the verdict for this tab's message", async () => {
  const verdict = { ...verdictView(HOSTILE_VERDICT, t, { messageId: 11 }), displayedAt: Date.now() - 50 };
  const { dom, sent } = runContentScript({ "mekiki:pending": pendingView(t), "mekiki:verdict": verdict });
  await flush();
  assert.deepEqual(sent.map((m) => m.type), ["mekiki:pending", "mekiki:verdict"]);
  const host = dom.window.document.getElementById("mekiki-banner");
  assert.equal(host.dataset.level, "dangerous");
  assert.ok(Number(host.dataset.displayToBannerMs) >= 50);
});

test("content script: a pushed view for this message re-renders; one for another message is ignored", async () => {
  const { dom, listeners } = runContentScript({
    "mekiki:pending": pendingView(t),
    "mekiki:verdict": verdictView({ level: "suspicious", score: 40, findings: [], facts: {} }, t, { messageId: 11 }),
  });
  await flush();
  const host = dom.window.document.getElementById("mekiki-banner");
  listeners[0]({ type: "mekiki:view", view: verdictView({ level: "safe", score: 0, findings: [], facts: {} }, t, { messageId: 99 }) });
  assert.equal(host.dataset.level, "suspicious");
  listeners[0]({ type: "mekiki:view", view: verdictView({ level: "dangerous", score: 90, findings: [], facts: {} }, t, { messageId: 11 }) });
  assert.equal(host.dataset.level, "dangerous");
});

test("content script: an unreachable background still gives an error banner, never silence", async () => {
  const { dom } = runContentScript({ "mekiki:pending": new Error("Could not establish connection") });
  await flush();
  const host = dom.window.document.getElementById("mekiki-banner");
  assert.equal(host.dataset.level, "error");
  assert.match(bar(host).textContent, /not responding.*Could not establish connection/);
});

test("content script: injected twice (registered + startup), it still makes one banner", async () => {
  const { dom } = runContentScript({
    "mekiki:pending": pendingView(t),
    "mekiki:verdict": verdictView({ level: "safe", score: 0, findings: [], facts: {} }, t, { messageId: 1 }),
  });
  dom.window.eval(source("ui/render.js"));
  dom.window.eval(source("content/banner.js"));
  await flush();
  assert.equal(dom.window.document.querySelectorAll("#mekiki-banner").length, 1);
});
