/**
 * Turns a verdict (or a failure) into the view model the banner and the popup render. Everything the
 * UI shows is decided here, as plain strings: the DOM code only copies them into textContent.
 * Values that come from the message have their invisible characters made visible and are clipped.
 * @module view
 */

import { revealInvisible, clip } from "./escape.js";

/** Findings shown in the banner itself; the rest are behind "Details". */
export const TOP_FINDINGS = 3;

/** Longest evidence or fact value shown, in characters. */
export const MAX_VALUE_CHARS = 2000;

/** Longest title, explanation or summary shown, in characters. */
export const MAX_TEXT_CHARS = 600;

const LEVELS = ["safe", "suspicious", "dangerous"];

const SEVERITY_RANK = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** Icons double the colour so the level never depends on colour alone. */
const ICONS = { safe: "\u2714", suspicious: "\u26a0", dangerous: "\u26d4", error: "\u2139", pending: "\u2026" };

const LEVEL_KEYS = {
  safe: "levelSafe",
  suspicious: "levelSuspicious",
  dangerous: "levelDangerous",
  error: "levelError",
  pending: "levelPending",
};

/**
 * What each failure means for the user and the command that fixes it.
 * `detail: true` appends the underlying message (it is the host's or Thunderbird's own text).
 */
const FAILURES = {
  "host-missing": { summary: "errorHostMissing", help: "helpInstall", command: "mekiki install" },
  "host-unavailable": { summary: "errorHostUnavailable", help: "helpDoctor", command: "mekiki doctor", detail: true },
  "host-crashed": { summary: "errorHostCrashed", help: "helpRetryDoctor", command: "mekiki doctor" },
  "host-timeout": { summary: "errorHostTimeout", help: "helpRetry" },
  "host-error": { summary: "errorHostError", help: "helpRetry", detail: true },
  protocol: { summary: "errorProtocol", help: "helpReinstall", command: "mekiki install", detail: true },
  "read-failed": { summary: "errorReadFailed", help: "helpRetry", detail: true },
};

/**
 * @typedef {(key: string, ...subs: Array<string|number>) => string} Translate
 */

/**
 * @typedef {object} FindingView
 * @property {string} id
 * @property {string} severity one of info|low|medium|high|critical (used as a CSS hook only)
 * @property {string} severityText
 * @property {string} title
 * @property {string} explanation
 * @property {{label: string, value: string}[]} evidence
 * @property {string} [waivedText] set when the host set the finding aside (it counted for nothing)
 */

/**
 * @typedef {object} View
 * @property {string} level safe|suspicious|dangerous|error|pending
 * @property {string} icon
 * @property {string} levelText
 * @property {string} summary
 * @property {string} [scoreText]
 * @property {FindingView[]} top the findings shown in the banner
 * @property {FindingView[]} findings all findings, most serious first
 * @property {string} [moreText] "N more in details"
 * @property {string[]} notes truncation notes
 * @property {{text: string, command?: string}} [help] how to fix an error
 * @property {string} [errorCode]
 * @property {{label: string, values: string[]}[]} facts
 * @property {Record<string, string>} labels fixed UI words
 * @property {number|null} messageId
 */

/**
 * Cleans a value taken from the message: invisible characters made visible, length bounded.
 * @param {unknown} value
 * @param {number} max
 * @param {Translate} t
 */
function shown(value, max, t) {
  return clip(revealInvisible(value ?? ""), max, (omitted) => t("clipped", omitted));
}

/** @param {Translate} t */
function labels(t) {
  return {
    brand: t("brandName"),
    showDetails: t("showDetails"),
    hideDetails: t("hideDetails"),
    noFindings: t("noFindings"),
    findingsHeading: t("findingsHeading"),
    factsHeading: t("factsHeading"),
    evidenceHeading: t("evidenceHeading"),
    commandLabel: t("commandLabel"),
  };
}

/**
 * @param {any} finding
 * @param {Translate} t
 * @returns {FindingView}
 */
function findingView(finding, t) {
  const severity = Object.hasOwn(SEVERITY_RANK, finding?.severity) ? finding.severity : "info";
  const evidence = Array.isArray(finding?.evidence) ? finding.evidence : [];
  return {
    id: shown(finding?.id, 200, t),
    severity,
    severityText: t(`severity_${severity}`),
    title: shown(finding?.title, MAX_TEXT_CHARS, t),
    explanation: shown(finding?.explanation, MAX_TEXT_CHARS, t),
    evidence: evidence.map((item) => ({
      label: shown(item?.label, 200, t),
      value: shown(item?.value, MAX_VALUE_CHARS, t),
    })),
    waivedText: finding?.waived === true ? t("findingWaived") : undefined,
  };
}

/** What counted before what was set aside; then most serious first, then highest score; otherwise the host's order. */
function bySeriousness(a, b) {
  const waived = Number(a?.waived === true) - Number(b?.waived === true);
  if (waived !== 0) return waived;
  const rank = (SEVERITY_RANK[b?.severity] ?? 0) - (SEVERITY_RANK[a?.severity] ?? 0);
  return rank !== 0 ? rank : (Number(b?.score) || 0) - (Number(a?.score) || 0);
}

/**
 * @param {any} hop
 * @returns {string}
 */
function describeHop(hop) {
  if (!hop || typeof hop !== "object") return "";
  const parts = [];
  if (hop.from_host) parts.push(hop.from_host);
  if (hop.from_ip) parts.push(`[${hop.from_ip}]`);
  if (hop.helo && hop.helo !== hop.from_host) parts.push(`(helo ${hop.helo})`);
  if (hop.by) parts.push(`\u2192 ${hop.by}`);
  return parts.join(" ");
}

/** @param {any} box */
function describeMailbox(box) {
  if (!box || typeof box !== "object") return "";
  return box.name ? `${box.name} <${box.address ?? ""}>` : String(box.address ?? "");
}

/**
 * The forensic facts as labelled lists of strings.
 * @param {any} facts
 * @param {Translate} t
 * @returns {{label: string, values: string[]}[]}
 */
function factsView(facts, t) {
  if (!facts || typeof facts !== "object") return [];
  const list = (value) => (Array.isArray(value) ? value : []);
  const rows = [
    ["factFrom", [describeMailbox(facts.from)]],
    ["factReplyTo", [describeMailbox(facts.reply_to)]],
    ["factReturnPath", [facts.return_path]],
    ["factMessageIdDomain", [facts.message_id_domain]],
    ["factSubject", [facts.subject]],
    ["factDate", [facts.date]],
    ["factTo", list(facts.to)],
    ["factOrigin", [describeHop(facts.origin)]],
    ["factHops", list(facts.hops).map(describeHop)],
    [
      "factAuth",
      list(facts.auth).map((a) =>
        [`${a?.method ?? "?"}=${a?.result ?? "?"}`, a?.domain ? `(${a.domain})` : "", a?.aligned ? t("aligned") : ""]
          .filter(Boolean)
          .join(" "),
      ),
    ],
    [
      "factLinks",
      list(facts.links).map((link) =>
        link?.text && link.text !== link.url ? `${link.text} \u2192 ${link?.url ?? ""}` : String(link?.url ?? ""),
      ),
    ],
    [
      "factAttachments",
      list(facts.attachments).map((a) => `${a?.name ?? "?"} (${a?.content_type ?? "?"}, ${Number(a?.size) || 0} B)`),
    ],
    ["factServerVerdicts", list(facts.server_verdicts).map((h) => `${h?.name ?? ""}: ${h?.value ?? ""}`)],
  ];
  return rows
    .map(([key, values]) => ({
      label: t(key),
      values: values.filter((v) => v !== undefined && v !== null && v !== "").map((v) => shown(v, MAX_VALUE_CHARS, t)),
    }))
    .filter((row) => row.values.length > 0);
}

/**
 * The view of a verdict from the host.
 * @param {any} verdict
 * @param {Translate} t
 * @param {{messageId?: number|null}} [meta]
 * @returns {View}
 */
export function verdictView(verdict, t, { messageId = null } = {}) {
  const level = LEVELS.includes(verdict?.level) ? verdict.level : null;
  if (!level) {
    return failureView("protocol", `unknown level ${JSON.stringify(verdict?.level)}`.slice(0, 100), t, { messageId });
  }
  const findings = (Array.isArray(verdict.findings) ? [...verdict.findings] : [])
    .sort(bySeriousness)
    .map((f) => findingView(f, t));
  const notes = [];
  const omitted = verdict.truncated?.omitted;
  if (omitted && typeof omitted === "object" && Object.keys(omitted).length > 0) notes.push(t("noteListsCut"));
  if (verdict.truncated?.body_not_analyzed) notes.push(t("noteBodyNotAnalyzed"));
  const score = Number.isFinite(verdict.score) ? Math.round(verdict.score) : null;
  // The banner headlines what counted; what was set aside is in the details.
  const top = findings.filter((f) => f.waivedText === undefined).slice(0, TOP_FINDINGS);
  return {
    level,
    icon: ICONS[level],
    levelText: t(LEVEL_KEYS[level]),
    summary: shown(verdict.summary || (findings.length === 0 ? t("noFindings") : ""), MAX_TEXT_CHARS, t),
    scoreText: score === null ? undefined : t("scoreText", score),
    top,
    findings,
    moreText: findings.length > top.length ? t("moreFindings", findings.length - top.length) : undefined,
    notes,
    facts: factsView(verdict.facts, t),
    labels: labels(t),
    messageId,
  };
}

/**
 * The view of a failure: what went wrong and how to fix it. Never a silent banner.
 * @param {string} code a HostError code or `read-failed`
 * @param {string} detail the underlying message
 * @param {Translate} t
 * @param {{messageId?: number|null}} [meta]
 * @returns {View}
 */
export function failureView(code, detail, t, { messageId = null } = {}) {
  const failure = FAILURES[code] ?? FAILURES["host-error"];
  const summary = failure.detail && detail ? `${t(failure.summary)} (${detail})` : t(failure.summary);
  return {
    level: "error",
    icon: ICONS.error,
    levelText: t(LEVEL_KEYS.error),
    summary: shown(summary, MAX_TEXT_CHARS, t),
    top: [],
    findings: [],
    notes: [],
    help: { text: t(failure.help), ...(failure.command ? { command: failure.command } : {}) },
    errorCode: Object.hasOwn(FAILURES, code) ? code : "host-error",
    facts: [],
    labels: labels(t),
    messageId,
  };
}

/**
 * The view shown while the host is working.
 * @param {Translate} t
 * @returns {View}
 */
export function pendingView(t) {
  return {
    level: "pending",
    icon: ICONS.pending,
    levelText: t(LEVEL_KEYS.pending),
    summary: t("pendingSummary"),
    top: [],
    findings: [],
    notes: [],
    facts: [],
    labels: labels(t),
    messageId: null,
  };
}
