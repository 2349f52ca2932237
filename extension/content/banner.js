/*
 * Message display script: puts the Mekiki banner at the top of the displayed message. It shows
 * "checking…" at once, then asks the background for the verdict of the message in this tab, and
 * re-renders when the background pushes a fresh view (Re-analyze). Rendering is ui/render.js.
 */
(async function mekikiBanner() {
  "use strict";
  if (globalThis.__mekikiBannerStarted) return; // registered script and startup injection both ran
  globalThis.__mekikiBannerStarted = true;

  /** The message this document shows, as the background told us; pushes for other messages are ignored. */
  let messageId = null;
  const show = (view) => globalThis.MekikiRender.showBanner(document, view);

  browser.runtime.onMessage.addListener((msg) => {
    if (msg?.type === "mekiki:view" && msg.view && msg.view.messageId === messageId) show(msg.view);
  });

  try {
    show(await browser.runtime.sendMessage({ type: "mekiki:pending" }));
    const view = await browser.runtime.sendMessage({ type: "mekiki:verdict" });
    messageId = view.messageId;
    show(view);
  } catch (err) {
    // The background itself is unreachable: still say so rather than show nothing.
    const t = (key) => browser.i18n.getMessage(key) || key;
    show({
      level: "error",
      icon: "\u2139",
      levelText: t("levelError"),
      summary: `${t("errorExtension")} (${String(err?.message || err)})`,
      top: [],
      findings: [],
      notes: [],
      facts: [],
      errorCode: "extension",
      labels: { brand: t("brandName"), showDetails: t("showDetails"), hideDetails: t("hideDetails") },
      messageId: null,
    });
  }
})();
