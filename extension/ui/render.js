/*
 * Builds the banner and the finding/fact lists from a view model (lib/view.js). A classic script, not a
 * module, because message display scripts cannot be modules; the popup loads the same file.
 *
 * Message data is hostile: every string goes into the DOM through textContent or a plain attribute,
 * never as markup. The banner lives in a shadow root and its host element carries !important inline
 * styles, so the message's own CSS can neither restyle nor hide it.
 */
(function defineMekikiRender() {
  "use strict";
  if (globalThis.MekikiRender) return; // injected twice (registered script + startup executeScript)

  const BANNER_ID = "mekiki-banner";

  const BANNER_CSS = `
:host { all: initial; }
.bar {
  --bg: #f0f0f4; --fg: #15141a; --edge: #8f8f9d; --chip: #e0e0e6;
  display: block; box-sizing: border-box; margin: 0; padding: 8px 12px;
  background: var(--bg); color: var(--fg); border: 1px solid color-mix(in srgb, var(--edge) 45%, transparent);
  border-inline-start: 4px solid var(--edge); border-radius: 4px;
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK JP", "Noto Sans", sans-serif;
  overflow-wrap: anywhere; text-align: start;
}
.bar[data-level="safe"] { --bg: #e3f6e8; --edge: #2a8a3e; --chip: #c8ebd1; }
.bar[data-level="suspicious"] { --bg: #fff4d9; --edge: #c07600; --chip: #fde3a7; }
.bar[data-level="dangerous"] { --bg: #fde7ea; --edge: #c50042; --chip: #f9c5cf; }
.bar[data-level="error"] { --bg: #e6eefc; --edge: #0061e0; --chip: #c9dbfa; }
@media (prefers-color-scheme: dark) {
  .bar { --bg: #2b2a33; --fg: #fbfbfe; --edge: #9f9fad; --chip: #42414d; }
  .bar[data-level="safe"] { --bg: #14361f; --edge: #5fd37a; --chip: #1e4d2d; }
  .bar[data-level="suspicious"] { --bg: #3d2f0c; --edge: #ffbd4f; --chip: #5a4512; }
  .bar[data-level="dangerous"] { --bg: #4a1020; --edge: #ff7a95; --chip: #6b1a2e; }
  .bar[data-level="error"] { --bg: #162a4d; --edge: #80b5ff; --chip: #213d6b; }
}
.head { display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; }
.icon { font-size: 16px; line-height: 1; color: var(--edge); }
.level { font-weight: 700; }
.brand { font-size: 11px; opacity: .75; }
.summary { flex: 1 1 20em; }
.score { font-size: 11px; opacity: .8; }
button {
  font: inherit; color: inherit; background: var(--chip); border: 1px solid var(--edge);
  border-radius: 4px; padding: 2px 10px; cursor: pointer;
}
button:focus-visible { outline: 2px solid var(--edge); outline-offset: 2px; }
ul.top { margin: 6px 0 0; padding-inline-start: 28px; }
ul.top li { margin: 2px 0; }
.sev { display: inline-block; font-size: 11px; padding: 0 6px; margin-inline-end: 6px; border-radius: 8px;
  background: var(--chip); }
.sev[data-severity="critical"], .sev[data-severity="high"] { font-weight: 700; }
.waived { font-size: 11px; opacity: .75; margin-inline-start: 6px; font-style: italic; }
.more, .help, .note { margin: 4px 0 0 28px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; background: var(--chip); padding: 0 4px;
  border-radius: 3px; user-select: all; }
.details { margin: 8px 0 0 28px; padding-top: 6px; border-top: 1px solid color-mix(in srgb, var(--edge) 40%, transparent); }
.details[hidden] { display: none; }
ol.findings { margin: 0; padding-inline-start: 20px; }
li.finding { margin: 0 0 8px; }
.explanation { margin: 2px 0 4px; }
dl.evidence { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 10px; margin: 0; }
dl.evidence dt { opacity: .85; }
dl.evidence dd { margin: 0; }
`;

  /**
   * Creates an element with text and plain attributes. The only way this file makes DOM nodes.
   * @param {Document} doc
   * @param {string} tag
   * @param {{text?: string, className?: string, attrs?: Record<string, string>}} [props]
   * @param {Node[]} [children]
   * @returns {HTMLElement}
   */
  function el(doc, tag, props = {}, children = []) {
    const node = doc.createElement(tag);
    if (props.className) node.className = props.className;
    if (props.text !== undefined) node.textContent = props.text;
    for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }

  /**
   * A severity chip followed by the finding's title, and a note when it was not counted.
   * @param {Document} doc
   * @param {import("../lib/view.js").FindingView} finding
   */
  function findingHeadline(doc, finding) {
    const headline = [
      el(doc, "span", { className: "sev", text: finding.severityText, attrs: { "data-severity": finding.severity } }),
      el(doc, "strong", { className: "title", text: finding.title }),
    ];
    if (finding.waivedText) headline.push(el(doc, "span", { className: "waived", text: finding.waivedText }));
    return headline;
  }

  /**
   * Every finding with its explanation and evidence.
   * @param {Document} doc
   * @param {import("../lib/view.js").FindingView[]} findings
   * @param {Record<string, string>} labels
   * @returns {HTMLElement}
   */
  function renderFindingList(doc, findings, labels) {
    if (findings.length === 0) return el(doc, "p", { className: "none", text: labels.noFindings });
    const list = el(doc, "ol", { className: "findings" });
    for (const finding of findings) {
      const item = el(doc, "li", { className: "finding", attrs: { "data-finding": finding.id } }, [
        el(doc, "div", {}, findingHeadline(doc, finding)),
        el(doc, "p", { className: "explanation", text: finding.explanation }),
      ]);
      if (finding.evidence.length > 0) {
        const evidence = el(doc, "dl", { className: "evidence", attrs: { "aria-label": labels.evidenceHeading } });
        for (const { label, value } of finding.evidence) {
          evidence.append(el(doc, "dt", { text: label }), el(doc, "dd", {}, [el(doc, "code", { text: value })]));
        }
        item.append(evidence);
      }
      list.append(item);
    }
    return list;
  }

  /**
   * The forensic facts as a definition list.
   * @param {Document} doc
   * @param {{label: string, values: string[]}[]} facts
   * @returns {HTMLElement}
   */
  function renderFacts(doc, facts) {
    const list = el(doc, "dl", { className: "facts" });
    for (const { label, values } of facts) {
      list.append(el(doc, "dt", { text: label }));
      for (const value of values) list.append(el(doc, "dd", {}, [el(doc, "code", { text: value })]));
    }
    return list;
  }

  /**
   * A fix hint: the sentence and, when there is one, the command to run.
   * @param {Document} doc
   * @param {{text: string, command?: string}} help
   * @param {Record<string, string>} labels
   */
  function renderHelp(doc, help, labels) {
    const para = el(doc, "p", { className: "help", text: help.text });
    if (help.command) {
      para.append(" ", el(doc, "code", { text: help.command, attrs: { "aria-label": labels.commandLabel } }));
    }
    return para;
  }

  /**
   * The banner's content for one view, inside its shadow root.
   * @param {Document} doc
   * @param {import("../lib/view.js").View} view
   */
  function bannerContent(doc, view) {
    const urgent = view.level === "dangerous" || view.level === "suspicious" || view.level === "error";
    const bar = el(doc, "section", {
      className: "bar",
      attrs: { "data-level": view.level, role: urgent ? "alert" : "status", "aria-live": urgent ? "assertive" : "polite" },
    });
    const head = el(doc, "div", { className: "head" }, [
      el(doc, "span", { className: "icon", text: view.icon, attrs: { "aria-hidden": "true" } }),
      el(doc, "span", { className: "level", text: view.levelText }),
      el(doc, "span", { className: "summary", text: view.summary }),
    ]);
    if (view.scoreText) head.append(el(doc, "span", { className: "score", text: view.scoreText }));
    head.append(el(doc, "span", { className: "brand", text: view.labels.brand }));
    bar.append(head);

    if (view.top.length > 0) {
      const top = el(doc, "ul", { className: "top" });
      for (const finding of view.top) top.append(el(doc, "li", {}, findingHeadline(doc, finding)));
      bar.append(top);
    }
    if (view.moreText) bar.append(el(doc, "p", { className: "more", text: view.moreText }));
    if (view.help) bar.append(renderHelp(doc, view.help, view.labels));

    if (view.findings.length > 0 || view.notes.length > 0) {
      const details = el(doc, "div", { className: "details", attrs: { id: "mekiki-details" } });
      details.hidden = true;
      details.append(renderFindingList(doc, view.findings, view.labels));
      for (const note of view.notes) details.append(el(doc, "p", { className: "note", text: note }));
      const toggle = el(doc, "button", {
        className: "toggle",
        text: view.labels.showDetails,
        attrs: { type: "button", "aria-expanded": "false", "aria-controls": "mekiki-details" },
      });
      toggle.addEventListener("click", () => {
        details.hidden = !details.hidden;
        toggle.setAttribute("aria-expanded", String(!details.hidden));
        toggle.textContent = details.hidden ? view.labels.showDetails : view.labels.hideDetails;
      });
      head.append(toggle);
      bar.append(details);
    }
    return bar;
  }

  /** Inline !important beats any author stylesheet, so a message cannot hide or shrink the banner. */
  const HOST_STYLE = {
    all: "initial",
    display: "block",
    visibility: "visible",
    opacity: "1",
    position: "relative",
    "z-index": "2147483647",
    margin: "0 0 12px 0",
    transform: "none",
    filter: "none",
    "clip-path": "none",
  };

  /**
   * Shows `view` in the banner at the top of the message, creating the banner if needed.
   * @param {Document} doc the message document
   * @param {import("../lib/view.js").View} view
   * @returns {HTMLElement} the banner's host element (`#mekiki-banner[data-level]`)
   */
  function showBanner(doc, view) {
    let host = globalThis.__mekikiBannerHost;
    if (!host || !host.isConnected || host.ownerDocument !== doc) {
      // A message could carry its own element with our id to spoof a "safe" banner: strip it.
      for (const spoof of doc.querySelectorAll(`#${BANNER_ID}`)) spoof.removeAttribute("id");
      host = doc.createElement("div");
      host.id = BANNER_ID;
      for (const [name, value] of Object.entries(HOST_STYLE)) host.style.setProperty(name, value, "important");
      const shadow = host.attachShadow({ mode: "open" });
      shadow.append(el(doc, "style", { text: BANNER_CSS }));
      (doc.body ?? doc.documentElement).prepend(host);
      globalThis.__mekikiBannerHost = host;
    }
    host.dataset.level = view.level;
    if (view.errorCode) host.dataset.error = view.errorCode;
    else delete host.dataset.error;
    // How long the user waited after the message was displayed (read by the end-to-end test).
    if (Number.isFinite(view.displayedAt)) host.dataset.displayToBannerMs = String(Date.now() - view.displayedAt);
    const shadow = host.shadowRoot;
    shadow.querySelector("section.bar")?.remove();
    shadow.append(bannerContent(doc, view));
    return host;
  }

  globalThis.MekikiRender = { showBanner, renderFindingList, renderFacts, renderHelp };
})();
