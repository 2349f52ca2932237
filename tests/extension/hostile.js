// A verdict whose every message-derived string is an attack: markup, script, javascript: URLs, bidi
// overrides, zero-width characters and a very long value. Shared by the banner and popup DOM tests.

export const IMG = `<img src=x onerror="globalThis.pwned=1">`;
export const SCRIPT = `</div><script>globalThis.pwned=2</script>`;
export const JS_URL = "javascript:globalThis.pwned=3";
export const RLO = "invoice\u202Efdp.exe";
export const ZW = "pay\u200Bpal.com";
export const LONG = "A".repeat(100000);

export const HOSTILE_VERDICT = {
  level: "dangerous",
  score: 99,
  lang: "en",
  summary: `Phish ${IMG} ${SCRIPT}`,
  findings: [
    {
      id: "links.text_mismatch",
      category: "links",
      severity: "critical",
      score: 40,
      title: `Link text ${IMG}`,
      explanation: `Goes to ${JS_URL} ${SCRIPT}`,
      evidence: [
        { label: `URL ${IMG}`, value: JS_URL },
        { label: "Attachment", value: RLO },
        { label: "Domain", value: ZW },
        { label: "Long", value: LONG },
      ],
    },
    { id: "sender.x", category: "sender", severity: "high", score: 20, title: SCRIPT, explanation: RLO, evidence: [] },
    { id: "content.y", category: "content", severity: "medium", score: 10, title: ZW, explanation: LONG, evidence: [] },
    { id: "content.z", category: "content", severity: "low", score: 5, title: "fourth", explanation: "e", evidence: [] },
  ],
  facts: {
    from: { name: `${IMG} Bank`, address: "a@b.example" },
    subject: `${SCRIPT} ${RLO}`,
    to: [ZW],
    links: [{ url: JS_URL, text: IMG, source: "href" }],
    attachments: [{ name: RLO, content_type: "text/html", size: 10 }],
    hops: [],
    auth: [],
    server_verdicts: [],
  },
};

/** Elements that could fetch, run or navigate if a payload had become markup. */
export const ACTIVE = "img, script, iframe, object, embed, a, svg, link, form, input, video, audio, math";

/**
 * Asserts no element under `root` has an event-handler, href or src attribute.
 * @param {ParentNode} root
 * @returns {string[]} offending attributes
 */
export function dangerousAttributes(root) {
  const bad = [];
  for (const el of root.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name) || ["href", "src", "srcdoc", "action", "formaction"].includes(attr.name)) {
        bad.push(`${el.localName}[${attr.name}]`);
      }
    }
  }
  return bad;
}
