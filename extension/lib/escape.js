/**
 * Makes invisible and direction-changing characters visible. Evidence is copied from a hostile
 * message: a right-to-left override (U+202E) can make `gpj.exe` read as `exe.jpg`, zero-width
 * characters hide inside look-alike domains. Shown as ⟨U+202E⟩ they cannot deceive.
 * @module escape
 */

/**
 * Characters that render as nothing, reorder text, or control the terminal: C0/C1 controls (except tab
 * and newline), soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul and Mongolian
 * fillers, zero-width and bidi controls, line/paragraph separators, invisible operators, BOM,
 * interlinear annotation, and Unicode tag characters. (Emoji variation selectors stay: they are common and harmless.)
 */
const INVISIBLE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g;

/**
 * Replaces each invisible or bidi-control character with a visible ⟨U+XXXX⟩ marker.
 * @param {string} text
 * @returns {string}
 */
export function revealInvisible(text) {
  return String(text).replace(INVISIBLE, (ch) => {
    const hex = ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
    return `\u27e8U+${hex}\u27e9`;
  });
}

/**
 * Cuts a very long value so one hostile header cannot flood the UI; says how much was cut.
 * @param {string} text
 * @param {number} max maximum characters kept
 * @param {(omitted: number) => string} note text appended after the cut
 * @returns {string}
 */
export function clip(text, max, note) {
  const chars = Array.from(String(text));
  if (chars.length <= max) return chars.join("");
  return chars.slice(0, max).join("") + "\u2026 " + note(chars.length - max);
}
