import assert from "node:assert/strict";
import { test } from "node:test";
import { createTranslator } from "../../extension/lib/i18n.js";
import { failureView, pendingView, verdictView, TOP_FINDINGS, MAX_VALUE_CHARS } from "../../extension/lib/view.js";
import { getMessageFor } from "./fake-browser.js";

const en = createTranslator(getMessageFor("en"));
const ja = createTranslator(getMessageFor("ja"));

const finding = (id, severity, score, extra = {}) => ({
  id,
  category: "links",
  severity,
  score,
  title: `title of ${id}`,
  explanation: `why ${id}`,
  evidence: [{ label: "URL", value: `https://example.net/${id}` }],
  ...extra,
});

export const SEED_LIKE = {
  level: "dangerous",
  score: 92,
  lang: "en",
  summary: "Phishing: the link hides kagoya.com in the path of miwamoku.net.",
  findings: [
    finding("content.urgency", "low", 5),
    finding("links.brand_in_path", "high", 30),
    finding("sender.brand_display_name", "critical", 40),
    finding("received.origin_mismatch", "high", 35),
    finding("content.mailbox_full", "medium", 10),
  ],
  facts: {
    from: { name: "Kagoya Internet Service", address: "hiroshi@example.jp" },
    return_path: "hiroshi@example.jp",
    to: ["hiroshi@example.jp"],
    origin: { from_host: "sv8630.xserver.jp", from_ip: "183.181.84.151", by: "mfilter.example.jp", trusted: false },
    hops: [{ from_host: "mfilter.example.jp", from_ip: "127.0.0.1", by: "mbox.example.jp", trusted: true }],
    auth: [{ method: "spf", result: "pass", domain: "example.jp", trusted: true, aligned: true }],
    links: [{ url: "https://miwamoku.net/activemail.kagoya.com/", text: "Log in", source: "href" }],
    attachments: [{ name: "invoice.pdf", content_type: "application/pdf", size: 1234 }],
    server_verdicts: [{ name: "X-Spam-Flag", value: "NO" }],
  },
};

test("a verdict becomes level, icon, words, summary and score", () => {
  const view = verdictView(SEED_LIKE, en, { messageId: 7 });
  assert.equal(view.level, "dangerous");
  assert.equal(view.messageId, 7);
  assert.ok(view.icon.length > 0);
  assert.match(view.levelText, /Dangerous/);
  assert.equal(view.summary, SEED_LIKE.summary);
  assert.equal(view.scoreText, "Score 92/100");
});

test("findings are ordered most serious first; the banner gets the top three", () => {
  const view = verdictView(SEED_LIKE, en);
  assert.deepEqual(
    view.findings.map((f) => f.id),
    ["sender.brand_display_name", "received.origin_mismatch", "links.brand_in_path", "content.mailbox_full", "content.urgency"],
  );
  assert.equal(view.top.length, TOP_FINDINGS);
  assert.deepEqual(view.top, view.findings.slice(0, 3));
  assert.equal(view.moreText, "2 more in Details.");
  assert.equal(view.findings[0].severityText, "Critical");
  assert.deepEqual(view.findings[0].evidence, [{ label: "URL", value: "https://example.net/sender.brand_display_name" }]);
});

test("findings the host set aside come after those that counted, marked, and never headline the banner", () => {
  const verdict = {
    level: "safe",
    score: 0,
    summary: "",
    findings: [
      finding("content.lure_account_suspended", "medium", 0, { waived: true }),
      finding("auth.brand_verified", "info", 0),
      finding("content.lure_verify", "low", 0, { waived: true }),
    ],
    facts: {},
  };
  const view = verdictView(verdict, en);
  assert.deepEqual(
    view.findings.map((f) => [f.id, f.waivedText]),
    [
      ["auth.brand_verified", undefined],
      ["content.lure_account_suspended", "not counted"],
      ["content.lure_verify", "not counted"],
    ],
  );
  assert.deepEqual(view.top.map((f) => f.id), ["auth.brand_verified"]);
  assert.equal(view.moreText, "2 more in Details.");
  assert.equal(verdictView(verdict, ja).findings[1].waivedText, "考慮外");
  // Only a literal `true` marks a finding; anything else from the host is not a waiver.
  const odd = verdictView({ ...verdict, findings: [finding("x.y", "low", 5, { waived: "yes" })] }, en);
  assert.equal(odd.findings[0].waivedText, undefined);
});

test("facts are labelled lists: sender, origin hop, auth, links, attachments", () => {
  const facts = Object.fromEntries(verdictView(SEED_LIKE, en).facts.map((f) => [f.label, f.values]));
  assert.deepEqual(facts.From, ["Kagoya Internet Service <hiroshi@example.jp>"]);
  assert.deepEqual(facts["Where it came from (first outside server)"], ["sv8630.xserver.jp [183.181.84.151] \u2192 mfilter.example.jp"]);
  assert.deepEqual(facts["Authentication results"], ["spf=pass (example.jp) aligned with From"]);
  assert.deepEqual(facts.Links, ["Log in \u2192 https://miwamoku.net/activemail.kagoya.com/"]);
  assert.deepEqual(facts.Attachments, ["invoice.pdf (application/pdf, 1234 B)"]);
  assert.deepEqual(facts["Mail server filter headers (shown, not scored)"], ["X-Spam-Flag: NO"]);
  assert.equal(facts["Reply-To"], undefined, "empty facts are left out");
});

test("a safe verdict without findings says so and has no 'more' line", () => {
  const view = verdictView({ level: "safe", score: 0, summary: "", findings: [], facts: {} }, en);
  assert.equal(view.level, "safe");
  assert.equal(view.summary, "Nothing suspicious was found.");
  assert.equal(view.top.length, 0);
  assert.equal(view.moreText, undefined);
});

test("truncation is told, not hidden", () => {
  const view = verdictView(
    { level: "suspicious", score: 40, summary: "s", findings: [], facts: {}, truncated: { omitted: { links: 9000 }, body_not_analyzed: true } },
    en,
  );
  assert.deepEqual(view.notes, [
    "Some lists were cut to keep the report small.",
    "The message is too large: only its headers were analyzed.",
  ]);
});

test("hostile values: invisible characters revealed, very long values clipped, unknown severity tamed", () => {
  const view = verdictView(
    {
      level: "suspicious",
      score: 50,
      summary: "see \u202Egnp.exe",
      findings: [finding("x", "<script>", 1, { evidence: [{ label: "Name", value: "a\u200Bb" + "z".repeat(5000) }] })],
      facts: {},
    },
    en,
  );
  assert.equal(view.summary, "see \u27e8U+202E\u27e9gnp.exe");
  const value = view.findings[0].evidence[0].value;
  assert.ok(value.startsWith("a\u27e8U+200B\u27e9b"));
  assert.ok(Array.from(value).length < MAX_VALUE_CHARS + 40);
  assert.match(value, /more characters\)$/);
  assert.equal(view.findings[0].severity, "info");
});

test("an unknown level is a protocol error, never a silent 'safe'", () => {
  const view = verdictView({ level: "fine", findings: [] }, en);
  assert.equal(view.level, "error");
  assert.equal(view.errorCode, "protocol");
});

test("each failure explains itself and, where a command fixes it, names the command", () => {
  const missing = failureView("host-missing", "No such native application mekiki", en);
  assert.equal(missing.level, "error");
  assert.equal(missing.errorCode, "host-missing");
  assert.match(missing.summary, /not installed/);
  assert.deepEqual(missing.help, { text: "Install it by running this command, then restart Thunderbird:", command: "mekiki install" });
  assert.equal(failureView("host-crashed", "", en).help.command, "mekiki doctor");
  assert.match(failureView("host-timeout", "", en).summary, /too long/);
  assert.match(failureView("host-error", "bad_base64: raw is not base64", en).summary, /\(bad_base64: raw is not base64\)$/);
  assert.equal(failureView("something-new", "x", en).errorCode, "host-error");
});

test("Japanese UI: labels in Japanese, the host's text untouched", () => {
  const view = verdictView({ ...SEED_LIKE, summary: "フィッシングです" }, ja);
  assert.equal(view.levelText, "危険 — フィッシングの可能性大");
  assert.equal(view.summary, "フィッシングです");
  assert.equal(view.moreText, "ほか 2 件は「詳細」に。");
  assert.equal(failureView("host-missing", "", ja).help.command, "mekiki install");
  assert.equal(pendingView(ja).levelText, "検査中…");
});
