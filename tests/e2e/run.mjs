// End-to-end test in real Thunderbird: a fresh profile with the extension sideloaded unsigned, the host
// registered by `mekiki install` in a temporary HOME, one Thunderbird per scenario under Xvfb opening an
// .eml with -file, and Marionette (chrome context) reading `#mekiki-banner[data-level]` in the message
// document. Saves a PNG per scenario under target/e2e/ and prints the measured timings.
//
// Usage: node tests/e2e/run.mjs [--keep] [--only NAME]   (tests/e2e/run.sh installs what is missing)

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

const SCENARIOS = [
  {
    name: "seed",
    eml: "tests/fixtures/seed-kagoya-phish.eml",
    expect: { level: "dangerous" },
    screenshot: "seed",
  },
  {
    name: "legit",
    eml: "tests/fixtures/e2e-legit-colleague.eml",
    expect: { level: "safe" },
    screenshot: "legit",
  },
  {
    // No host registered: the banner must say so and give the install command, never stay silent.
    name: "host-missing",
    eml: "tests/fixtures/e2e-legit-colleague.eml",
    expect: { level: "error", error: "host-missing", text: "mekiki install" },
    installHost: false,
    screenshot: "host-missing",
  },
];

const args = process.argv.slice(2);
const keep = args.includes("--keep");
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;

const log = (...parts) => console.log("[e2e]", ...parts);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function run(cmd, argv, options = {}) {
  const result = spawnSync(cmd, argv, { encoding: "utf8", ...options });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${argv.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

function hostBinary() {
  for (const profile of ["debug", "release"]) {
    const candidate = path.join(REPO, "target", profile, "mekiki");
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error("no target/{debug,release}/mekiki: build it first (cargo build -p mekiki)");
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

function prefs(marionettePort) {
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
    xvfb.stdio[3].on("data", (d) => resolve({ display: `:${String(d).trim()}`, process: xvfb }));
  });
}

/** Chrome-context script: every `#mekiki-banner` in every message document of every window. */
const FIND_BANNERS = `
  const found = [];
  const seen = new Set();
  const visit = (doc, where) => {
    if (!doc || seen.has(doc)) return;
    seen.add(doc);
    const banner = doc.getElementById && doc.getElementById("mekiki-banner");
    if (banner) {
      found.push({
        where,
        url: String(doc.documentURI).slice(0, 200),
        level: banner.dataset.level || null,
        error: banner.dataset.error || null,
        displayToBannerMs: banner.dataset.displayToBannerMs ? Number(banner.dataset.displayToBannerMs) : null,
        text: banner.shadowRoot && banner.shadowRoot.querySelector(".bar") ? banner.shadowRoot.querySelector(".bar").textContent.replace(/\\s+/g, " ").trim().slice(0, 2000) : null,
      });
    }
    for (const frame of doc.querySelectorAll("browser, iframe")) {
      let inner = null;
      try { inner = frame.contentDocument; } catch (e) {}
      visit(inner, where + " > " + (frame.id || frame.localName));
    }
  };
  for (const win of Services.wm.getEnumerator(null)) visit(win.document, win.location.href);
  return found;
`;

/** Chrome-context script: the windows and their browsers, for the failure report. */
const DESCRIBE_WINDOWS = `
  const out = [];
  for (const win of Services.wm.getEnumerator(null)) {
    const browsers = [...win.document.querySelectorAll("browser")].map(
      (b) => (b.id || "?") + "=" + (b.currentURI ? b.currentURI.spec.slice(0, 80) : "?") + (b.isRemoteBrowser ? " (remote)" : ""));
    out.push(win.location.href + " [" + browsers.join(", ") + "]");
  }
  return out;
`;

/** Chrome-context script: bring the window showing the banner to a readable size. */
const SIZE_MESSAGE_WINDOW = `
  for (const win of Services.wm.getEnumerator(null)) {
    if (String(win.location.href).includes("messageWindow")) { win.moveTo(0, 0); win.resizeTo(1100, 860); win.focus(); return win.location.href; }
  }
  return null;
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

async function screenshot(marionette, file) {
  const handles = await marionette.command("WebDriver:GetWindowHandles");
  // The message window (opened by -file) is the most recent one.
  for (const handle of [...handles].reverse()) {
    await marionette.command("WebDriver:SwitchToWindow", { handle, focus: true });
    const url = await marionette.execute("return window.location.href;");
    if (String(url).includes("messageWindow") || handle === handles[0]) break;
  }
  const data = await marionette.command("WebDriver:TakeScreenshot", { full: false, hash: false }, 30000);
  fs.writeFileSync(file, Buffer.from(data.value ?? data, "base64"));
}

/**
 * One Thunderbird run: fresh profile, open the .eml, wait for the final banner.
 * @returns {Promise<{banner: object, launchToBannerMs: number}>}
 */
async function runScenario(scenario, { display, host, work }) {
  const dir = fs.mkdtempSync(path.join(work, `${scenario.name}-`));
  const home = path.join(dir, "home");
  const profile = path.join(dir, "profile");
  fs.mkdirSync(path.join(profile, "extensions"), { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  const env = { ...process.env, HOME: home, DISPLAY: display, MOZ_CRASHREPORTER_DISABLE: "1", XDG_CONFIG_HOME: path.join(home, ".config") };
  delete env.WAYLAND_DISPLAY;

  if (scenario.installHost !== false) {
    log(`${scenario.name}: mekiki install (HOME=${home})`);
    run(host, ["install"], { env });
    const manifest = path.join(home, ".mozilla/native-messaging-hosts/mekiki.json");
    if (!fs.existsSync(manifest)) throw new Error(`mekiki install did not write ${manifest}`);
  }
  fs.copyFileSync(path.join(work, "mekiki.xpi"), path.join(profile, "extensions", `${EXTENSION_ID}.xpi`));
  const port = await freePort();
  fs.writeFileSync(path.join(profile, "user.js"), prefs(port) + "\n");

  const eml = path.join(REPO, scenario.eml);
  const logFile = path.join(OUT, `${scenario.name}.thunderbird.log`);
  const logStream = fs.openSync(logFile, "w");
  const launchedAt = Date.now();
  const thunderbird = spawn(
    "thunderbird",
    ["--no-remote", "-profile", profile, "--marionette", "-remote-allow-system-access", "-file", eml],
    { env, stdio: ["ignore", logStream, logStream], detached: true },
  );
  const deadline = launchedAt + BANNER_DEADLINE_MS;
  let marionette;
  try {
    marionette = await connectMarionette(port, deadline, thunderbird);
    await marionette.command("WebDriver:NewSession", { capabilities: {} });
    await marionette.command("Marionette:SetContext", { value: "chrome" });
    let banners = [];
    let firstSeen = null;
    while (Date.now() < deadline) {
      banners = await marionette.execute(FIND_BANNERS);
      const final = banners.find((b) => FINAL_LEVELS.has(b.level));
      if (final) {
        const launchToBannerMs = Date.now() - launchedAt;
        await marionette.execute(SIZE_MESSAGE_WINDOW);
        await sleep(500); // let the resized window repaint before the screenshot
        const shot = path.join(OUT, `${scenario.screenshot}.png`);
        try {
          await screenshot(marionette, shot);
        } catch (err) {
          log(`${scenario.name}: screenshot failed: ${err.message}`);
        }
        return { banner: final, launchToBannerMs, firstSeen };
      }
      if (banners.length > 0 && firstSeen === null) firstSeen = Date.now() - launchedAt;
      await sleep(POLL_MS);
    }
    const windows = await marionette.execute(DESCRIBE_WINDOWS).catch((e) => [`(${e.message})`]);
    throw new Error(
      `no final banner within ${BANNER_DEADLINE_MS} ms; banners seen: ${JSON.stringify(banners)}\nwindows:\n  ${windows.join("\n  ")}`,
    );
  } finally {
    marionette?.close();
    await stop(thunderbird);
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

function check(scenario, banner, host) {
  const problems = [];
  const engine = scenario.installHost === false ? null : cliLevel(host, scenario.eml);
  if (engine !== null && banner.level !== engine) {
    problems.push(`data-level is "${banner.level}" but mekiki analyze says "${engine}"`);
  }
  if (banner.level !== scenario.expect.level) {
    const why = engine === banner.level ? ` (the engine itself rates ${scenario.eml} "${engine}")` : "";
    problems.push(`data-level is "${banner.level}", expected "${scenario.expect.level}"${why}`);
  }
  if (scenario.expect.error && banner.error !== scenario.expect.error) {
    problems.push(`data-error is "${banner.error}", expected "${scenario.expect.error}"`);
  }
  if (scenario.expect.text && !String(banner.text).includes(scenario.expect.text)) {
    problems.push(`banner text lacks "${scenario.expect.text}": ${banner.text}`);
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
      let outcome;
      for (let attempt = 1; attempt <= ATTEMPTS && !outcome; attempt++) {
        try {
          outcome = await runScenario(scenario, { display: xvfb.display, host, work });
        } catch (err) {
          log(`${scenario.name}: attempt ${attempt} failed: ${err.message}`);
          log(`  Thunderbird log: ${path.relative(REPO, path.join(OUT, `${scenario.name}.thunderbird.log`))}`);
        }
      }
      if (!outcome) {
        failed++;
        console.log(`not ok - ${scenario.name}: Thunderbird never showed a final banner`);
        continue;
      }
      const { banner, launchToBannerMs } = outcome;
      const problems = check(scenario, banner, host);
      timings.push({ scenario: scenario.name, launchToBannerMs, displayToBannerMs: banner.displayToBannerMs });
      log(`${scenario.name}: data-level=${banner.level}${banner.error ? ` data-error=${banner.error}` : ""} ` +
        `launch→banner ${launchToBannerMs} ms, display→banner ${banner.displayToBannerMs ?? "?"} ms; ${banner.where}`);
      log(`  banner: ${banner.text}`);
      if (problems.length === 0) {
        passed++;
        console.log(`ok - ${scenario.name}: ${banner.level}`);
      } else {
        failed++;
        console.log(`not ok - ${scenario.name}: ${problems.join("; ")}`);
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
