// Static checks over extension/: no HTML sinks anywhere, locales complete and consistent, and a
// manifest that points at files that exist.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { BANNER_FILES } from "../../extension/lib/controller.js";
import { EXTENSION_DIR, loadLocale } from "./fake-browser.js";

function files(dir = EXTENSION_DIR) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : [full];
  });
}
const sources = files().filter((f) => /\.(m?js|html)$/.test(f));
const read = (f) => fs.readFileSync(f, "utf8");

test("no HTML sinks (or code-from-string) anywhere in extension/", () => {
  const sinks = /\b(innerHTML|outerHTML|insertAdjacentHTML|createContextualFragment|srcdoc|DOMParser)\b|document\.write(ln)?\b|\beval\s*\(|\bnew\s+Function\b|setHTMLUnsafe|parseHTMLUnsafe/;
  assert.ok(sources.length >= 8, "the scan sees the extension's files");
  const offenders = [];
  for (const file of sources) {
    read(file).split("\n").forEach((line, n) => {
      if (sinks.test(line)) offenders.push(`${path.relative(EXTENSION_DIR, file)}:${n + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test("the sink scan itself catches a sink", () => {
  const sinks = /\b(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write/;
  assert.ok(sinks.test("el.innerHTML = x") && sinks.test("document.write(x)") && sinks.test("a.insertAdjacentHTML('x', y)"));
});

const en = loadLocale("en");
const ja = loadLocale("ja");
const placeholders = (entry) => [...entry.message.matchAll(/\$([A-Za-z0-9_]+)\$/g)].map((m) => m[1].toLowerCase()).sort();

test("en and ja have the same keys and the same placeholders", () => {
  assert.deepEqual(Object.keys(ja).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) {
    assert.deepEqual(placeholders(ja[key]), placeholders(en[key]), key);
    assert.deepEqual(Object.keys(ja[key].placeholders ?? {}).sort(), Object.keys(en[key].placeholders ?? {}).sort(), key);
    for (const name of placeholders(en[key])) assert.ok(en[key].placeholders?.[name], `${key}: $${name}$ defined`);
    assert.ok(ja[key].message.trim().length > 0, `${key} translated`);
  }
});

test("every string the code asks for exists, and every string in the locales is used", () => {
  const code = sources.map(read).join("\n") + read(path.join(EXTENSION_DIR, "manifest.json"));
  const asked = new Set();
  const patterns = [
    /\bt\(\s*"([A-Za-z_]+)"/g, // translator calls
    /getMessage\(\s*"([A-Za-z_]+)"/g,
    /\bt\(\s*`severity_\$\{[^}]+\}`/g, // dynamic: checked below
    /data-i18n(?:-[a-z-]+)?="([A-Za-z_]+)"/g,
    /__MSG_([A-Za-z_]+)__/g,
    /(?:summary|help):\s*"([A-Za-z_]+)"/g, // failure table in lib/view.js
    /:\s*"(level[A-Z][A-Za-z]+)"/g, // level table
    /\["(fact[A-Z][A-Za-z]+)"/g, // fact rows
  ];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) if (m[1]) asked.add(m[1]);
  for (const severity of ["info", "low", "medium", "high", "critical"]) asked.add(`severity_${severity}`);
  const missing = [...asked].filter((key) => !Object.hasOwn(en, key));
  assert.deepEqual(missing, [], "keys used in code but absent from _locales/en");
  const unused = Object.keys(en).filter((key) => !asked.has(key) && !code.includes(`"${key}"`));
  assert.deepEqual(unused, [], "keys in _locales/en that nothing uses");
});

test("manifest: MV3, the id and minimum version the host and Thunderbird ESR expect, files that exist", () => {
  const manifest = JSON.parse(read(path.join(EXTENSION_DIR, "manifest.json")));
  assert.equal(manifest.manifest_version, 3);
  assert.equal(manifest.browser_specific_settings.gecko.id, "mekiki@mekiki.app");
  assert.equal(manifest.browser_specific_settings.gecko.strict_min_version, "140.0");
  assert.equal(manifest.default_locale, "en");
  for (const permission of ["messagesRead", "scripting", "accountsRead", "nativeMessaging"]) {
    assert.ok(manifest.permissions.includes(permission), permission);
  }
  assert.equal(manifest.background.type, "module");
  const referenced = [
    ...manifest.background.scripts,
    manifest.message_display_action.default_popup,
    manifest.message_display_action.default_icon,
    ...Object.values(manifest.icons),
    ...BANNER_FILES.map((f) => f.replace(/^\//, "")),
  ];
  for (const file of referenced) assert.ok(fs.existsSync(path.join(EXTENSION_DIR, file)), file);
});
