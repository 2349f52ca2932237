/*
 * The message_display_action popup: every finding with its evidence, the forensic facts, and
 * Re-analyze, for the message shown in the window the button belongs to.
 */
import { createTranslator, localizeStatic } from "../lib/i18n.js";

const t = createTranslator((key, subs) => browser.i18n.getMessage(key, subs));
const { renderFindingList, renderFacts, renderHelp } = globalThis.MekikiRender;
const byId = (id) => document.getElementById(id);

/** Shows one view (lib/view.js), or the "no message" note when there is none. */
function show(view) {
  const level = byId("level");
  if (!view) {
    level.dataset.level = "pending";
    byId("level-text").textContent = t("noMessage");
    byId("reanalyze").disabled = true;
    return;
  }
  level.dataset.level = view.level;
  byId("level-icon").textContent = view.icon;
  byId("level-text").textContent = view.scoreText ? `${view.levelText} · ${view.scoreText}` : view.levelText;
  byId("summary").textContent = view.summary;
  byId("help").replaceChildren(...(view.help ? [renderHelp(document, view.help, view.labels)] : []));
  byId("findings").replaceChildren(renderFindingList(document, view.findings, view.labels));
  byId("facts").replaceChildren(renderFacts(document, view.facts));
  byId("notes").replaceChildren(...view.notes.map((note) => Object.assign(document.createElement("p"), { textContent: note })));
}

async function main() {
  localizeStatic(document, t);
  document.documentElement.lang = browser.i18n.getUILanguage();
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  const button = byId("reanalyze");
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.textContent = t("reanalyzing");
    try {
      show(await browser.runtime.sendMessage({ type: "mekiki:reanalyze", tabId: tab.id }));
    } finally {
      button.disabled = false;
      button.textContent = t("reanalyze");
    }
  });
  show(tab ? await browser.runtime.sendMessage({ type: "mekiki:get", tabId: tab.id }) : null);
}

main().catch((err) => {
  byId("summary").textContent = String(err?.message || err);
});
