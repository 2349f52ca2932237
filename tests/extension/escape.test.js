import assert from "node:assert/strict";
import { test } from "node:test";
import { clip, revealInvisible } from "../../extension/lib/escape.js";

test("a right-to-left override is shown, not obeyed", () => {
  assert.equal(revealInvisible("invoice\u202Efdp.exe"), "invoice\u27e8U+202E\u27e9fdp.exe");
});

test("zero-width and other invisible characters are made visible", () => {
  assert.equal(revealInvisible("pay\u200Bpal"), "pay\u27e8U+200B\u27e9pal");
  assert.equal(revealInvisible("a\u200Cb\u200Dc\u2060d\uFEFFe\u00ADf"),
    "a\u27e8U+200C\u27e9b\u27e8U+200D\u27e9c\u27e8U+2060\u27e9d\u27e8U+FEFF\u27e9e\u27e8U+00AD\u27e9f");
  assert.equal(revealInvisible("\u2066x\u2069"), "\u27e8U+2066\u27e9x\u27e8U+2069\u27e9");
  assert.equal(revealInvisible("bell\u0007"), "bell\u27e8U+0007\u27e9");
  assert.equal(revealInvisible("\u3164"), "\u27e8U+3164\u27e9");
});

test("Unicode tag characters (astral) are shown by code point", () => {
  assert.equal(revealInvisible("x\u{E0041}y"), "x\u27e8U+E0041\u27e9y");
});

test("ordinary text, Japanese, tabs, newlines and emoji stay as they are", () => {
  const text = "重要なメール通知\tline\nnext ⚠️ café";
  assert.equal(revealInvisible(text), text);
});

test("non-strings are shown as text", () => {
  assert.equal(revealInvisible(42), "42");
});

test("clip keeps short text and says how much of long text was cut", () => {
  assert.equal(clip("short", 10, (n) => `(${n})`), "short");
  assert.equal(clip("x".repeat(15), 10, (n) => `(${n} more)`), "x".repeat(10) + "\u2026 (5 more)");
  // Counted in code points, so a surrogate pair is never split.
  assert.equal(clip("😀".repeat(3), 2, (n) => `+${n}`), "😀😀\u2026 +1");
});
