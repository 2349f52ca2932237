// End-to-end test in real Thunderbird: a fresh profile with the extension sideloaded unsigned, the host
// registered by `mekiki install` in a temporary HOME, one Thunderbird per scenario under Xvfb, and
// Marionette (chrome context) reading `#mekiki-banner[data-level]` in the message document. Scenarios
// cover an .eml opened with -file (message window), the 3-pane (waking a suspended background), a
// message tab, Thunderbird in Japanese, hostile payloads rendered inert, and the error banner when the
// host is not installed. Saves a PNG per step under target/e2e/, prints the timings and writes them to
// target/e2e/timings.json.
//
// Usage: tests/e2e/run.sh [--release] [--keep] [--only SCENARIO]   (installs what is missing, builds the
// host, then runs this file). --keep leaves the temporary profiles and HOMEs in place for inspection.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Marionette } from "./marionette.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = path.join(REPO, "target/e2e");
const EXTENSION_ID = "mekiki@mekiki.app";
const FINAL_LEVELS = new Set(["safe", "suspicious", "dangerous", "error"]);

/** How long one scenario may take from launch to a final banner, and how often it is polled. */
const BANNER_DEADLINE_MS = 60000;
const POLL_MS = 100;
/** Attempts per scenario: a Thunderbird that fails to come up (not a wrong banner) is retried. */
const ATTEMPTS = 2;

const SEED = { eml: "tests/fixtures/seed-kagoya-phish.eml", subject: "重要なメール通知" };
const LEGIT = { eml: "tests/fixtures/e2e-legit-colleague.eml", subject: "Minutes of Monday's planning meeting" };
const HOSTILE = {
  eml: "tests/e2e/fixtures/hostile-ui.eml",
  subject: "</div><script>globalThis.pwned=2</script> Account notice \u202Efdp.exe",
};

/** Where a banner was found: the window/browser path FIND_BANNERS reports. */
const IN_MESSAGE_WINDOW = /messageWindow\.xhtml/;
const IN_THREE_PANE = /mail3PaneTabBrowser/;
const IN_MESSAGE_TAB = /mailMessageTabBrowser/;

/**
 * Each scenario is one fresh Thunderbird. `file` is opened with -file at launch; `mailbox` messages are
 * put in a Local Folders folder first. Each step acts (or not), then waits for the final banner of
 * `message` in the place `where` matches.
 */
const SCENARIOS = [
  {
    name: "seed-file",
    file: SEED,
    steps: [{ name: "seed", message: SEED, where: IN_MESSAGE_WINDOW, expect: { level: "dangerous", details: true } }],
  },
  {
    name: "legit-file",
    file: LEGIT,
    steps: [{ name: "legit", message: LEGIT, where: IN_MESSAGE_WINDOW, expect: { level: "safe" } }],
  },
  {
    // Japanese Thunderbird (language pack thunderbird-l10n-ja): labels and the verdict in Japanese.
    name: "seed-ja",
    file: SEED,
    prefs: { "intl.locale.requested": "ja" },
    steps: [
      {
        name: "seed-ja",
        message: SEED,
        where: IN_MESSAGE_WINDOW,
        expect: { level: "dangerous", texts: ["危険 — フィッシングの可能性大", "詳細"], japaneseSummary: true },
      },
    ],
  },
  {
    name: "folder",
    mailbox: [SEED, LEGIT],
    // Thunderbird suspends an idle Manifest V3 background. With a 1 s idle limit and no message shown
    // at startup, the background is stopped when the first message is selected: the display event
    // must wake it and it must start the host afresh.
    prefs: { "extensions.background.idle.timeout": 1000 },
    steps: [
      {
        name: "3pane-seed",
        action: "select",
        backgroundStopped: true,
        message: SEED,
        where: IN_THREE_PANE,
        expect: { level: "dangerous" },
      },
      // Switching messages must replace the banner with the new message's own verdict.
      { name: "3pane-legit", action: "select", message: LEGIT, where: IN_THREE_PANE, expect: { level: "safe" } },
      { name: "tab-seed", action: "tab", message: SEED, where: IN_MESSAGE_TAB, expect: { level: "dangerous" } },
    ],
  },
  {
    // Markup, script, javascript: URLs, a bidi override and zero-width characters in the From name,
    // subject, links and attachment name: the banner shows them as inert text.
    name: "hostile-file",
    file: HOSTILE,
    steps: [
      {
        name: "hostile",
        message: HOSTILE,
        where: IN_MESSAGE_WINDOW,
        // Any level will do (the engine's to decide, checked against the CLI); what matters is inertness.
        expect: {
          inert: true,
          texts: [
            '"<img src=x onerror=globalThis.pwned=1> PayPal Security" <security@account-verify.example>',
            "javascript:globalThis.pwned=3",
            "invoice\u27e8U+202E\u27e9fdp.exe",
            "https://paypal.com.account-verify.example/\u27e8U+200B\u27e9signin/",
          ],
        },
      },
    ],
  },
  {
    // No host registered: the banner must say so and give the install command, never stay silent.
    name: "host-missing",
    file: LEGIT,
    installHost: false,
    steps: [
      {
        name: "host-missing",
        message: LEGIT,
        where: IN_MESSAGE_WINDOW,
        expect: { level: "error", error: "host-missing", texts: ["mekiki install"] },
      },
    ],
  },
];

const args = process.argv.slice(2);
const keep = args.includes("--keep");
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;

const log = (...parts) => console.log("[e2e]", ...parts);

/** Processes to end if this script is interrupted (Thunderbird runs in its own process group). */
const children = new Set();
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }
    process.exit(130);
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function run(cmd, argv, options = {}) {
  const result = spawnSync(cmd, argv, { encoding: "utf8", ...options });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${argv.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** The host binary run.sh just built (`MEKIKI_E2E_PROFILE`: debug or release). */
function hostBinary() {
  const profile = process.env.MEKIKI_E2E_PROFILE || "debug";
  const binary = path.join(REPO, "target", profile, "mekiki");
  if (!fs.existsSync(binary)) throw new Error(`no ${binary}: build it first (cargo build -p mekiki)`);
  return binary;
}

/** The extension as an unsigned .xpi (a zip with manifest.json at its root). */
function packExtension(dest) {
  fs.rmSync(dest, { force: true });
  run("zip", ["-q", "-r", "-X", dest, "."], { cwd: path.join(REPO, "extension") });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function prefs(marionettePort, extra = {}) {
  const values = {
    // Sideloaded, unsigned extension, enabled without a prompt.
    "extensions.autoDisableScopes": 0,
    "extensions.enabledScopes": 15,
    "xpinstall.signatures.required": false,
    "extensions.update.enabled": false,
    // A Local Folders account, so no account wizard.
    "mail.accountmanager.accounts": "account1",
    "mail.accountmanager.localfoldersserver": "server1",
    "mail.account.account1.server": "server1",
    "mail.server.server1.type": "none",
    "mail.server.server1.hostname": "Local Folders",
    "mail.server.server1.userName": "nobody",
    "mail.server.server1.name": "Local Folders",
    "mail.server.server1.directory-rel": "[ProfD]Mail/Local Folders",
    // No first-run distractions, nothing fetched.
    "mail.shell.checkDefaultClient": false,
    "mailnews.start_page.enabled": false,
    "mail.provider.suppress_dialog_on_startup": true,
    "mail.rights.version": 1,
    "mailnews.auto_config.fetchFromISP.enabled": false,
    "mailnews.auto_config.guess.enabled": false,
    "datareporting.policy.dataSubmissionEnabled": false,
    "toolkit.telemetry.reportingpolicy.firstRun": false,
    "app.update.auto": false,
    "browser.shell.checkDefaultBrowser": false,
    "toolkit.startup.max_resumed_crashes": -1,
    "marionette.port": marionettePort,
    // Extension console output on stdout, for the log kept on failure.
    "devtools.console.stdout.chrome": true,
    "devtools.console.stdout.content": true,
    ...extra,
  };
  return Object.entries(values)
    .map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`)
    .join("\n");
}

/** Starts Xvfb on a free display; resolves with the display name and the process. */
function startXvfb() {
  return new Promise((resolve, reject) => {
    const xvfb = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    let stderr = "";
    xvfb.stderr.on("data", (d) => (stderr += d));
    xvfb.on("error", reject);
    xvfb.on("exit", (code) => reject(new Error(`Xvfb exited (${code}): ${stderr}`)));
    children.add(xvfb);
    xvfb.stdio[3].on("data", (d) => resolve({ display: `:${String(d).trim()}`, process: xvfb }));
  });
}

/** Chrome-context script: every `#mekiki-banner` in every message document of every window. */
const FIND_BANNERS = `
  const found = [];
  const seen = new Set();
  const visit = (doc, where, embedder) => {
    if (!doc || seen.has(doc)) return;
    seen.add(doc);
    const banner = doc.getElementById && doc.getElementById("mekiki-banner");
    if (banner) {
      // The message shown: about:message, the window that embeds the message document, knows its header.
      let subject = null;
      try { subject = embedder.gMessage.mime2DecodedSubject; } catch (e) {}
      const bar = banner.shadowRoot && banner.shadowRoot.querySelector(".bar");
      found.push({
        where,
        subject,
        level: banner.dataset.level || null,
        error: banner.dataset.error || null,
        displayToBannerMs: banner.dataset.displayToBannerMs ? Number(banner.dataset.displayToBannerMs) : null,
        summary: bar && bar.querySelector(".summary") ? bar.querySelector(".summary").textContent : null,
        text: bar ? bar.textContent.replace(/\\s+/g, " ").trim().slice(0, 20000) : null,
        // Anything in the banner that could fetch, run or navigate, had message text become markup.
        active: banner.shadowRoot
          ? [...banner.shadowRoot.querySelectorAll("*")].filter((el) =>
              /^(img|script|iframe|object|embed|a|svg|link|form|input|video|audio|math)$/.test(el.localName) ||
              [...el.attributes].some((a) => /^on/i.test(a.name) || a.name === "href" || a.name === "src")).length
          : null,
        liveInvisible: bar ? /[\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069]/.test(bar.textContent) : null,
        pwned: (() => { try { return doc.defaultView.wrappedJSObject.pwned ?? null; } catch (e) { return "unreadable"; } })(),
      });
    }
    for (const frame of doc.querySelectorAll("browser, iframe")) {
      let inner = null;
      try { inner = frame.contentDocument; } catch (e) {}
      visit(inner, where + " > " + (frame.id || frame.localName), frame.ownerDocument.defaultView);
    }
  };
  for (const win of Services.wm.getEnumerator(null)) visit(win.document, win.location.href, null);
  return found;
`;

/** Chrome-context script: the windows and their browsers, for the failure report. */
const DESCRIBE_WINDOWS = `
  const out = [];
  for (const win of Services.wm.getEnumerator(null)) {
    const browsers = [...win.document.querySelectorAll("browser")].map(
      (b) => (b.id || "?") + "=" + (b.currentURI ? b.currentURI.spec.slice(0, 80) : "?"));
    out.push(win.location.href + " [" + browsers.join(", ") + "]");
  }
  return out;
`;

/** Chrome-context scripts that display a message the way a user would. Argument: the subject. */
const ACTIONS = {
  // Click the message in the 3-pane's list (after opening the folder that holds the test mails).
  select: `
    const [subject] = arguments;
    const win = Services.wm.getMostRecentWindow("mail:3pane");
    const tabmail = win.document.getElementById("tabmail");
    tabmail.switchToTab(0);
    const about3Pane = tabmail.currentAbout3Pane;
    const folder = win.MailServices.accounts.localFoldersServer.rootFolder.getChildNamed("Mekiki");
    if (about3Pane.gFolder !== folder) about3Pane.displayFolder(folder.URI);
    const view = about3Pane.gDBView;
    for (let row = 0; view && row < view.rowCount; row++) {
      if (view.getMsgHdrAt(row).mime2DecodedSubject === subject) { about3Pane.threadTree.selectedIndex = row; return true; }
    }
    return false;
  `,
  // Open the message in a tab of its own.
  tab: `
    const [subject] = arguments;
    const win = Services.wm.getMostRecentWindow("mail:3pane");
    const folder = win.MailServices.accounts.localFoldersServer.rootFolder.getChildNamed("Mekiki");
    const hdr = [...folder.messages].find((h) => h.mime2DecodedSubject === subject);
    if (!hdr) return false;
    win.document.getElementById("tabmail").openTab("mailMessageTab", { messageURI: folder.getUriForMsg(hdr), background: false });
    return true;
  `,
};

/** Chrome-context script: the extension's background state (running, suspending, stopped). */
const BACKGROUND_STATE = `return WebExtensionPolicy.getByID("${EXTENSION_ID}").extension.backgroundState;`;

/** Chrome-context script: press the banner's Details button in the message window; report what it opened. */
const EXPAND_DETAILS = `
  for (const win of Services.wm.getEnumerator(null)) {
    if (!String(win.location.href).includes("messageWindow")) continue;
    const doc = win.document.getElementById("messageBrowser").contentDocument.getElementById("messagepane").contentDocument;
    const shadow = doc.getElementById("mekiki-banner").shadowRoot;
    const toggle = shadow.querySelector("button.toggle");
    toggle.focus();
    toggle.click();
    const details = shadow.querySelector(".details");
    return {
      expanded: toggle.getAttribute("aria-expanded"),
      focused: shadow.activeElement === toggle,
      height: details.getBoundingClientRect().height,
      findings: details.querySelectorAll("li.finding").length,
    };
  }
  return null;
`;

/** Chrome-context script: a readable size for the window about to be photographed; returns its handle's URL. */
const SIZE_WINDOW = `
  const [pattern] = arguments;
  for (const win of Services.wm.getEnumerator(null)) {
    if (String(win.location.href).includes(pattern)) { win.moveTo(0, 0); win.resizeTo(1100, 860); win.focus(); return true; }
  }
  return false;
`;

async function connectMarionette(port, deadline, thunderbird) {
  let lastError;
  while (Date.now() < deadline) {
    if (thunderbird.exitCode !== null) throw new Error(`Thunderbird exited early (${thunderbird.exitCode})`);
    try {
      return await Marionette.connect(port);
    } catch (err) {
      lastError = err;
      await sleep(POLL_MS);
    }
  }
  throw new Error(`Marionette never answered on port ${port}: ${lastError?.message}`);
}

/** Kills Thunderbird's whole process group (it forks helpers), waiting briefly for it to go. */
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {}
  for (let i = 0; i < 30 && child.exitCode === null && child.signalCode === null; i++) await sleep(100);
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {}
}

/** Saves a PNG of the window whose URL contains `pattern`. */
async function screenshot(marionette, pattern, file) {
  await marionette.execute(SIZE_WINDOW, [pattern]);
  await sleep(500); // let the resized window repaint
  for (const handle of await marionette.command("WebDriver:GetWindowHandles")) {
    await marionette.command("WebDriver:SwitchToWindow", { handle, focus: true });
    if (String(await marionette.execute("return window.location.href;")).includes(pattern)) {
      const data = await marionette.command("WebDriver:TakeScreenshot", { full: false, hash: false }, 30000);
      fs.writeFileSync(file, Buffer.from(data.value ?? data, "base64"));
      return;
    }
  }
  throw new Error(`no window like ${pattern}`);
}

/** An mbox file holding the given fixtures, for a Local Folders folder. */
function mbox(messages) {
  return Buffer.concat(
    messages.flatMap(({ eml }) => {
      const data = fs.readFileSync(path.join(REPO, eml));
      return [Buffer.from("From - Sat Nov 28 00:00:00 2026\n"), data, Buffer.from(data.at(-1) === 0x0a ? "\n" : "\n\n")];
    }),
  );
}

/** A fresh profile and HOME for one scenario; the host registered unless the scenario says not. */
function prepare(scenario, { host, work }) {
  const dir = fs.mkdtempSync(path.join(work, `${scenario.name}-`));
  const home = path.join(dir, "home");
  const profile = path.join(dir, "profile");
  fs.mkdirSync(path.join(profile, "extensions"), { recursive: true });
  fs.mkdirSync(path.join(profile, "Mail", "Local Folders"), { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  const env = { ...process.env, HOME: home, MOZ_CRASHREPORTER_DISABLE: "1", XDG_CONFIG_HOME: path.join(home, ".config") };
  delete env.WAYLAND_DISPLAY;
  if (scenario.installHost !== false) {
    log(`${scenario.name}: mekiki install (HOME=${home})`);
    run(host, ["install"], { env });
    const manifest = path.join(home, ".mozilla/native-messaging-hosts/mekiki.json");
    if (!fs.existsSync(manifest)) throw new Error(`mekiki install did not write ${manifest}`);
  }
  fs.copyFileSync(path.join(work, "mekiki.xpi"), path.join(profile, "extensions", `${EXTENSION_ID}.xpi`));
  if (scenario.mailbox) fs.writeFileSync(path.join(profile, "Mail", "Local Folders", "Mekiki"), mbox(scenario.mailbox));
  return { dir, home, profile, env };
}

/** Polls until the banner of `step.message` in `step.where` reaches a final level. */
async function waitForBanner(marionette, step, deadline) {
  let banners = [];
  while (Date.now() < deadline) {
    banners = await marionette.execute(FIND_BANNERS);
    const banner = banners.find(
      // By the subject's start: Thunderbird shows control characters (the hostile U+202E) as spaces.
      (b) => step.where.test(b.where) && b.subject?.startsWith(step.message.subject.slice(0, 40)) && FINAL_LEVELS.has(b.level),
    );
    if (banner) return banner;
    await sleep(POLL_MS);
  }
  const windows = await marionette.execute(DESCRIBE_WINDOWS).catch((e) => [`(${e.message})`]);
  throw new Error(
    `${step.name}: no final banner for "${step.message.subject}" in ${step.where} within the deadline; ` +
      `banners seen: ${JSON.stringify(banners)}\nwindows:\n  ${windows.join("\n  ")}`,
  );
}

/**
 * One Thunderbird run: fresh profile, launch, then each step's action and banner.
 * @returns {Promise<Array<{step: object, banner: object, launchToBannerMs: number, actionToBannerMs: number}>>}
 */
async function runScenario(scenario, { display, host, work }) {
  const { dir, profile, env } = prepare(scenario, { host, work });
  const port = await freePort();
  fs.writeFileSync(path.join(profile, "user.js"), prefs(port, scenario.prefs) + "\n");
  const logFile = path.join(OUT, `${scenario.name}.thunderbird.log`);
  const logStream = fs.openSync(logFile, "w");
  const argv = ["--no-remote", "-profile", profile, "--marionette", "-remote-allow-system-access"];
  if (scenario.file) argv.push("-file", path.join(REPO, scenario.file.eml));
  const launchedAt = Date.now();
  const thunderbird = spawn("thunderbird", argv, {
    env: { ...env, DISPLAY: display },
    stdio: ["ignore", logStream, logStream],
    detached: true, // its own process group, so stop() can end it and its helpers
  });
  children.add(thunderbird);
  let marionette;
  try {
    marionette = await connectMarionette(port, launchedAt + BANNER_DEADLINE_MS, thunderbird);
    await marionette.command("WebDriver:NewSession", { capabilities: {} });
    await marionette.command("Marionette:SetContext", { value: "chrome" });
    const results = [];
    for (const step of scenario.steps) {
      if (step.backgroundStopped) {
        // Wait (bounded) for Thunderbird to suspend the idle background before acting.
        const until = Date.now() + 20000;
        let state;
        while ((state = await marionette.execute(BACKGROUND_STATE)) !== "stopped" && Date.now() < until) await sleep(POLL_MS);
        if (state !== "stopped") throw new Error(`${step.name}: the background never went idle (state ${state})`);
      }
      const actedAt = Date.now();
      const deadline = actedAt + BANNER_DEADLINE_MS;
      if (step.action) {
        // The folder is parsed on first display: retry until the message is listed.
        while (!(await marionette.execute(ACTIONS[step.action], [step.message.subject]))) {
          if (Date.now() > deadline) throw new Error(`${step.name}: could not ${step.action} "${step.message.subject}"`);
          await sleep(POLL_MS);
        }
      }
      const banner = await waitForBanner(marionette, step, deadline);
      const now = Date.now();
      const shot = path.join(OUT, `${step.name}.png`);
      await screenshot(marionette, step.where === IN_MESSAGE_WINDOW ? "messageWindow" : "messenger.xhtml", shot).catch(
        (err) => log(`${step.name}: screenshot failed: ${err.message}`),
      );
      if (step.expect.details) {
        banner.details = await marionette.execute(EXPAND_DETAILS);
        await screenshot(marionette, "messageWindow", path.join(OUT, `${step.name}-details.png`)).catch((err) =>
          log(`${step.name}: screenshot failed: ${err.message}`),
        );
      }
      results.push({ step, banner, launchToBannerMs: now - launchedAt, actionToBannerMs: now - actedAt });
    }
    return results;
  } finally {
    marionette?.close();
    await stop(thunderbird);
    children.delete(thunderbird);
    fs.closeSync(logStream);
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The level the CLI gives the same file: the banner must agree with it whatever the engine's stage. */
function cliLevel(host, eml) {
  const result = spawnSync(host, ["analyze", "--json", path.join(REPO, eml)], { encoding: "utf8" });
  try {
    return JSON.parse(result.stdout).level;
  } catch {
    throw new Error(`mekiki analyze --json ${eml} gave no verdict (exit ${result.status}): ${result.stderr}`);
  }
}

function check(scenario, step, banner, host) {
  const problems = [];
  const engine = scenario.installHost === false ? null : cliLevel(host, step.message.eml);
  if (engine !== null && banner.level !== engine) {
    problems.push(`data-level is "${banner.level}" but mekiki analyze says "${engine}"`);
  }
  if (step.expect.level && banner.level !== step.expect.level) {
    const why = engine === banner.level ? ` (the engine itself rates ${step.message.eml} "${engine}")` : "";
    problems.push(`data-level is "${banner.level}", expected "${step.expect.level}"${why}`);
  }
  if (step.expect.error && banner.error !== step.expect.error) {
    problems.push(`data-error is "${banner.error}", expected "${step.expect.error}"`);
  }
  for (const text of step.expect.texts ?? []) {
    if (!String(banner.text).includes(text)) problems.push(`banner text lacks ${JSON.stringify(text)}`);
  }
  // Japanese text opens with kana or kanji; an English summary may only quote Japanese later on.
  if (step.expect.japaneseSummary && !/^[\u3040-\u30ff\u4e00-\u9fff]/.test(banner.summary ?? "")) {
    problems.push(`the host's summary is not in Japanese: ${banner.summary}`);
  }
  if (step.expect.details) {
    const d = banner.details;
    // Every finding listed once the Details button is pressed, and the button keeps the focus.
    if (!d || d.expanded !== "true" || !(d.height > 0) || d.findings < 1 || !d.focused) {
      problems.push(`the Details button did not open the full list: ${JSON.stringify(d)}`);
    }
  }
  if (step.expect.inert) {
    if (banner.active !== 0) problems.push(`${banner.active} active elements or attributes in the banner`);
    if (banner.liveInvisible) problems.push("a live bidi/zero-width character in the banner text");
    if (banner.pwned !== null) problems.push(`a payload ran in the message document: pwned=${banner.pwned}`);
  }
  return problems;
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "mekiki-e2e-"));
  const host = hostBinary();
  packExtension(path.join(work, "mekiki.xpi"));
  log(`Thunderbird: ${run("thunderbird", ["--version"]).trim()}; host: ${host}`);
  const xvfb = await startXvfb();
  log(`Xvfb on ${xvfb.display}`);
  let passed = 0;
  let failed = 0;
  const timings = [];
  try {
    for (const scenario of SCENARIOS.filter((s) => !only || s.name === only)) {
      let results;
      for (let attempt = 1; attempt <= ATTEMPTS && !results; attempt++) {
        try {
          results = await runScenario(scenario, { display: xvfb.display, host, work });
        } catch (err) {
          log(`${scenario.name}: attempt ${attempt} failed: ${err.message}`);
          log(`  Thunderbird log: ${path.relative(REPO, path.join(OUT, `${scenario.name}.thunderbird.log`))}`);
        }
      }
      if (!results) {
        failed += scenario.steps.length;
        for (const step of scenario.steps) console.log(`not ok - ${step.name}: no final banner (see above)`);
        continue;
      }
      for (const { step, banner, launchToBannerMs, actionToBannerMs } of results) {
        const problems = check(scenario, step, banner, host);
        const timing = { step: step.name, launchToBannerMs, actionToBannerMs, displayToBannerMs: banner.displayToBannerMs };
        timings.push(timing);
        log(`${step.name}: data-level=${banner.level}${banner.error ? ` data-error=${banner.error}` : ""}; ` +
          `launch→banner ${launchToBannerMs} ms, action→banner ${step.action ? `${actionToBannerMs} ms` : "-"}, ` +
          `display event→banner ${banner.displayToBannerMs ?? "?"} ms; in ${banner.where}`);
        log(`  banner: ${banner.text}`);
        if (problems.length === 0) {
          passed++;
          console.log(`ok - ${step.name}: ${banner.level}`);
        } else {
          failed++;
          console.log(`not ok - ${step.name}: ${problems.join("; ")}`);
        }
      }
    }
  } finally {
    xvfb.process.removeAllListeners("exit");
    xvfb.process.kill("SIGTERM");
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
  fs.writeFileSync(path.join(OUT, "timings.json"), JSON.stringify(timings, null, 2) + "\n");
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

main().catch((err) => {
  console.error(`[e2e] ${err.stack || err}`);
  process.exitCode = 1;
});
