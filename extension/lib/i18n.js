/**
 * Looking up UI strings in `_locales/<lang>/messages.json` through `browser.i18n`.
 * @module i18n
 */

/**
 * @callback GetMessage
 * @param {string} key
 * @param {string|string[]} [substitutions]
 * @returns {string}
 */

/**
 * Returns a translator over `browser.i18n.getMessage`. A missing key shows up as the key itself in
 * brackets: visible in the UI and caught by the locale-coverage test, instead of an empty label.
 * @param {GetMessage} getMessage
 * @returns {(key: string, ...substitutions: Array<string|number>) => string}
 */
export function createTranslator(getMessage) {
  return (key, ...substitutions) => {
    const text = getMessage(key, substitutions.map(String));
    return text || `[${key}]`;
  };
}

/**
 * Fills every element carrying a `data-i18n` attribute (a message key) with its text (textContent only), and
 * `data-i18n-title` / `data-i18n-aria-label` attributes likewise. Used for the static popup text.
 * @param {ParentNode} root
 * @param {(key: string) => string} t
 */
export function localizeStatic(root, t) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  }
}
