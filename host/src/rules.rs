//! The rule table: every finding id with its texts, severity and weight (`data/findings/*.toml`, one
//! file per category), and the scoring thresholds and combinations (`data/scoring.toml`). Scoring is
//! data; this module only applies it.

use std::borrow::Cow;
use std::sync::LazyLock;

use anyhow::{Context as _, Result, bail, ensure};
// The maps hold only the tables' own ids, groups and labels; message text (a header name used as an
// evidence label) is only looked up, never inserted, so nobody can make keys collide and an unkeyed
// fast hash (Fx) is safe.
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;

use crate::model::{Category, Evidence, Finding, Lang, Level, RenderedFinding, Severity};
use crate::tables::{self, builtin_json};

/// The tables' strings are borrowed from their text (the binary's, for the built-in tables), not
/// copied one allocation each at every start; a text with JSON escapes is copied (`Cow`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    #[serde(borrow)]
    pub en: Cow<'static, str>,
    #[serde(borrow)]
    pub ja: Cow<'static, str>,
}

impl Texts {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}

/// A finding's rule; its id is borrowed from the table, as its [`Texts`] are.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub weight: u32,
    /// Deception of identity or of a link: a verdict reaches `dangerous` only with one of these.
    #[serde(default)]
    pub deceptive: bool,
    pub title: Texts,
    pub explanation: Texts,
    /// The rule's place in the table, its bit in an [`IdBits`].
    #[serde(skip)]
    index: usize,
}

/// Extra points when findings appear together (e.g. a self-sender *and* a lure), or — with `finding` —
/// a finding of its own that the user sees, for combinations that are evidence in themselves.
/// Names and ids are borrowed from the table, as [`Texts`] are.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combo {
    pub name: &'static str,
    /// Every element must be present: a finding id, or `@group` for any id of that group.
    pub all: Vec<&'static str>,
    #[serde(default)]
    pub bonus: u32,
    /// Shown as this finding (weight, severity and texts from its table) instead of a silent bonus.
    #[serde(default)]
    pub finding: Option<&'static str>,
    /// `all`, resolved: for each element, the ids that satisfy it.
    #[serde(skip)]
    requires: Vec<IdBits>,
}

/// Findings that do not count when another is present and nothing deceives: `waives` weigh nothing
/// and combine with nothing when the message has `when`, no deceptive finding and none of `unless`.
/// They are still shown. (A brand's own verified mail saying "your account is locked" is the brand
/// speaking, not a pretence.)
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub name: &'static str,
    pub when: &'static str,
    /// Finding ids or `@group`s.
    pub waives: Vec<&'static str>,
    /// Finding ids or `@group`s any of which voids the waiver.
    #[serde(default)]
    pub unless: Vec<&'static str>,
    /// `when`, `waives` and `unless`, resolved.
    #[serde(skip)]
    trigger: IdBits,
    #[serde(skip)]
    waived: IdBits,
    #[serde(skip)]
    voided_by: IdBits,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    pub suspicious: u32,
    pub dangerous: u32,
    pub max: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
pub struct Summaries {
    pub safe: Texts,
    pub suspicious: Texts,
    pub dangerous: Texts,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct ScoringFile {
    scoring: Scoring,
    summary: Summaries,
    /// Named sets of finding ids that combinations refer to as `@name`.
    #[serde(default)]
    group: FxHashMap<&'static str, Vec<&'static str>>,
    #[serde(default)]
    combo: Vec<Combo>,
    #[serde(default)]
    waiver: Vec<Waiver>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct FindingFile {
    #[serde(default)]
    finding: Vec<Rule>,
}

/// The built-in finding tables by category, embedded in the binary (as JSON, see `tables`).
const FINDINGS: [(&str, &str); 8] = [
    ("sender", builtin_json!("findings/sender")),
    ("received", builtin_json!("findings/received")),
    ("auth", builtin_json!("findings/auth")),
    ("links", builtin_json!("findings/links")),
    ("content", builtin_json!("findings/content")),
    ("attachments", builtin_json!("findings/attachments")),
    ("server", builtin_json!("findings/server")),
    ("limits", builtin_json!("findings/limits")),
];

/// `data/labels.toml`: Japanese names of evidence labels.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct LabelFile {
    ja: FxHashMap<&'static str, &'static str>,
}

pub struct Rules {
    pub scoring: Scoring,
    labels_ja: FxHashMap<&'static str, &'static str>,
    pub summary: Summaries,
    pub combos: Vec<Combo>,
    pub waivers: Vec<Waiver>,
    by_id: FxHashMap<&'static str, Rule>,
}

static BUILTIN: LazyLock<Rules> = LazyLock::new(|| {
    let load = || {
        let findings = FINDINGS.iter().map(|(category, json)| tables::from_json(json, &format!("{category}.toml")));
        Rules::from_tables(
            tables::from_json(builtin_json!("scoring"), "scoring.toml")?,
            tables::from_json(builtin_json!("labels"), "labels.toml")?,
            findings.collect::<Result<_>>()?,
        )
    };
    // The embedded table is validated by a unit test, so this cannot fail in a released binary.
    load().expect("built-in rule tables are valid")
});

type Groups = FxHashMap<&'static str, Vec<&'static str>>;

/// Groups may name other groups as `@name` (one level deep), so a wide set is written as the union of
/// narrow ones instead of a copy of their ids.
fn expand_groups(groups: Groups) -> Result<Groups> {
    let mut expanded = FxHashMap::default();
    for (&name, members) in &groups {
        let mut ids = Vec::new();
        for member in members {
            match member.strip_prefix('@') {
                Some(inner) => {
                    let inner_ids =
                        groups.get(inner).with_context(|| format!("group {name} names unknown group {inner}"))?;
                    ensure!(
                        inner_ids.iter().all(|id| !id.starts_with('@')),
                        "group {name} names group {inner}, which itself names groups"
                    );
                    ids.extend(inner_ids.iter().copied());
                }
                None => ids.push(member),
            }
        }
        expanded.insert(name, ids);
    }
    Ok(expanded)
}

/// Placeholders a text may use: `{name}` made of ASCII letters and underscores.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|rest| {
        let name = rest.split('}').next()?;
        (!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')).then_some(name)
    })
}

impl Rules {
    pub fn builtin() -> &'static Rules {
        &BUILTIN
    }

    /// Rules from the TOML text of `scoring.toml`, `labels.toml` and finding tables. The rules borrow
    /// their strings from the text as the built-in ones do from the binary, so the text is kept for
    /// the rest of the process ([`tables::kept`]): only tests parse tables from text.
    #[cfg(test)]
    pub fn parse(scoring: &str, labels: &str, findings: &[&str]) -> Result<Rules> {
        let findings = findings
            .iter()
            .enumerate()
            .map(|(i, text)| tables::from_toml(tables::kept(text), &format!("finding table #{i}")));
        Rules::from_tables(
            tables::from_toml(tables::kept(scoring), "scoring.toml")?,
            tables::from_toml(tables::kept(labels), "labels.toml")?,
            findings.collect::<Result<_>>()?,
        )
    }

    fn from_tables(file: ScoringFile, labels: LabelFile, findings: Vec<FindingFile>) -> Result<Rules> {
        ensure!(labels.ja.values().all(|v| !v.trim().is_empty()), "labels.toml has an empty translation");
        let s = &file.scoring;
        ensure!(
            0 < s.suspicious && s.suspicious < s.dangerous && s.dangerous <= s.max,
            "scoring thresholds out of order"
        );
        let mut by_id = FxHashMap::default();
        for rule in findings.into_iter().flat_map(|part| part.finding) {
            let prefix = format!("{}.", serde_json::to_value(rule.category)?.as_str().unwrap_or_default());
            ensure!(rule.id.starts_with(&prefix), "finding {} must start with its category {prefix}", rule.id);
            for text in [&rule.title, &rule.explanation] {
                ensure!(
                    !text.en.trim().is_empty() && !text.ja.trim().is_empty(),
                    "finding {} has an empty text",
                    rule.id
                );
                let en: FxHashSet<_> = placeholders(&text.en).collect();
                let ja: FxHashSet<_> = placeholders(&text.ja).collect();
                ensure!(en == ja, "finding {}: en and ja use different placeholders", rule.id);
            }
            ensure!(rule.weight <= s.max, "finding {} weighs more than the maximum score", rule.id);
            let mut rule = rule;
            rule.index = by_id.len();
            let id = rule.id;
            if by_id.insert(id, rule).is_some() {
                bail!("duplicate finding id {id}");
            }
        }
        let groups = expand_groups(file.group)?;
        for (name, ids) in &groups {
            for id in ids {
                ensure!(by_id.contains_key(id), "group {name} names unknown finding {id}");
            }
        }
        // The ids an element names: a finding id, or `@group` for every id of that group.
        let resolve = |owner: &str, element: &'static str| -> Result<IdBits> {
            let ids = match element.strip_prefix('@') {
                Some(group) => {
                    groups.get(group).cloned().with_context(|| format!("{owner} names unknown group {group}"))?
                }
                None => {
                    ensure!(by_id.contains_key(element), "{owner} names unknown finding {element}");
                    vec![element]
                }
            };
            Ok(IdBits::of(ids.iter().filter_map(|id| by_id.get(id))))
        };
        let mut combos = file.combo;
        let mut shown = FxHashSet::default();
        for combo in &mut combos {
            ensure!(combo.all.len() >= 2, "combo {} must combine at least two elements", combo.name);
            match &combo.finding {
                Some(id) => {
                    let rule =
                        by_id.get(id).with_context(|| format!("combo {} shows unknown finding {id}", combo.name))?;
                    ensure!(
                        placeholders(&rule.title.en).chain(placeholders(&rule.explanation.en)).next().is_none(),
                        "finding {id}, shown by a combination, cannot fill placeholders"
                    );
                    ensure!(combo.bonus == 0, "combo {} shows a finding: its weight is the finding's", combo.name);
                    // Shown once, weighed once: one combination per shown finding.
                    ensure!(shown.insert(id), "finding {id} is shown by two combinations");
                }
                None => ensure!(combo.bonus > 0, "combo {} needs a bonus or a finding", combo.name),
            }
            for &element in &combo.all {
                combo.requires.push(resolve(&format!("combo {}", combo.name), element)?);
            }
        }
        let mut waivers = file.waiver;
        for waiver in &mut waivers {
            let owner = format!("waiver {}", waiver.name);
            ensure!(!waiver.when.starts_with('@'), "{owner} is triggered by one finding, not a group");
            waiver.trigger = resolve(&owner, waiver.when)?;
            ensure!(!waiver.waives.is_empty(), "{owner} waives nothing");
            for &element in &waiver.waives {
                waiver.waived.add(&resolve(&owner, element)?);
            }
            for &element in &waiver.unless {
                waiver.voided_by.add(&resolve(&owner, element)?);
            }
            ensure!(
                !waiver.waived.meets(&IdBits::of(by_id.values().filter(|r| r.deceptive))),
                "{owner} waives a deceptive finding"
            );
        }
        Ok(Rules { labels_ja: labels.ja, scoring: file.scoring, summary: file.summary, combos, waivers, by_id })
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.by_id.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.by_id.keys().copied()
    }

    /// The combinations present among a set of finding ids.
    fn fired<'a>(&'a self, ids: &'a Ids<'a>) -> impl Iterator<Item = &'a Combo> + 'a {
        self.combos.iter().filter(|combo| combo.requires.iter().all(|alternatives| alternatives.meets(&ids.bits)))
    }

    /// Scores a set of findings: each id counts once, combinations add their bonus (or the weight of
    /// the finding they show), the total is capped; `dangerous` needs a deceptive finding, whatever
    /// the score.
    pub fn score(&self, findings: &[Finding]) -> (u32, Level) {
        let ids = Ids::of(self, findings);
        let fired: Vec<&Combo> = self.fired(&ids).collect();
        self.score_fired(&ids, &fired)
    }

    /// Scores and renders findings (see [`Rules::score`] and [`Rules::render`]), working out which
    /// combinations they fire once for both.
    pub fn judge(&self, findings: Vec<Finding>, lang: Lang) -> (u32, Level, Vec<RenderedFinding>) {
        let ids = Ids::of(self, &findings);
        let fired: Vec<&Combo> = self.fired(&ids).collect();
        let (score, level) = self.score_fired(&ids, &fired);
        let combined = self.render_combinations(&findings, &fired, lang);
        (score, level, self.render_with(findings, &ids, combined, lang))
    }

    fn score_fired(&self, ids: &Ids, fired: &[&Combo]) -> (u32, Level) {
        let mut rules = ids.rules.clone();
        let mut bonus = 0;
        for combo in fired {
            match combo.finding.and_then(|id| self.get(id)) {
                Some(shown) => rules.push(shown),
                None => bonus += combo.bonus,
            }
        }
        let score = (rules.iter().map(|r| r.weight).sum::<u32>() + bonus).min(self.scoring.max);
        let deceptive = rules.iter().any(|r| r.deceptive);
        let level = if score >= self.scoring.dangerous && deceptive {
            Level::Dangerous
        } else if score >= self.scoring.suspicious {
            Level::Suspicious
        } else {
            Level::Safe
        };
        (score, level)
    }

    /// Renders findings in `lang`, strongest first; unknown ids are a programming error caught by tests
    /// and are dropped rather than shown without text.
    pub fn render(&self, findings: Vec<Finding>, lang: Lang) -> Vec<RenderedFinding> {
        self.judge(findings, lang).2
    }

    /// The findings rendered, with those that combinations show (`combined`), strongest first; those
    /// that do not count (waived: not among `counted`) after all that do.
    fn render_with(
        &self,
        findings: Vec<Finding>,
        counted: &Ids,
        combined: Vec<RenderedFinding>,
        lang: Lang,
    ) -> Vec<RenderedFinding> {
        let mut out: Vec<RenderedFinding> = findings
            .into_iter()
            .filter_map(|f| {
                let rule = self.get(f.id)?;
                let waived = !counted.bits.contains(rule);
                Some(RenderedFinding {
                    id: rule.id.to_string(),
                    category: rule.category,
                    severity: rule.severity,
                    score: if waived { 0 } else { rule.weight },
                    title: fill(rule.title.get(lang), &f.args),
                    explanation: fill(rule.explanation.get(lang), &f.args),
                    evidence: f.evidence.into_iter().map(|e| self.localize(e, lang)).collect(),
                    waived,
                })
            })
            .chain(combined)
            .collect();
        out.sort_by(|a, b| a.waived.cmp(&b.waived).then(b.severity.cmp(&a.severity)).then(b.score.cmp(&a.score)));
        out
    }

    /// The findings that combinations show: their evidence is the title of each finding combined.
    fn render_combinations(&self, findings: &[Finding], fired: &[&Combo], lang: Lang) -> Vec<RenderedFinding> {
        let label = self.localize(Evidence { label: "Sign".into(), value: String::new() }, lang).label;
        fired
            .iter()
            .filter_map(|combo| {
                let rule = self.get(combo.finding?)?;
                let evidence = combo
                    .requires
                    .iter()
                    .filter_map(|alternatives| {
                        findings.iter().find(|f| self.get(f.id).is_some_and(|r| alternatives.contains(r)))
                    })
                    .filter_map(|part| {
                        let title = self.get(part.id)?.title.get(lang);
                        Some(Evidence { label: label.clone(), value: fill(title, &part.args) })
                    })
                    .collect();
                Some(RenderedFinding {
                    id: rule.id.to_string(),
                    category: rule.category,
                    severity: rule.severity,
                    score: rule.weight,
                    title: rule.title.get(lang).to_owned(),
                    explanation: rule.explanation.get(lang).to_owned(),
                    evidence,
                    waived: false,
                })
            })
            .collect()
    }

    /// Evidence labels are written in English by the checkers; header names stay as they are.
    fn localize(&self, evidence: Evidence, lang: Lang) -> Evidence {
        match (lang, self.labels_ja.get(evidence.label.as_str())) {
            (Lang::Ja, Some(label)) => Evidence { label: label.to_string(), value: evidence.value },
            _ => evidence,
        }
    }

    /// Whether an evidence label has a Japanese name (for tests of the tables' coverage).
    pub fn has_japanese_label(&self, label: &str) -> bool {
        self.labels_ja.contains_key(label)
    }

    pub fn summary(&self, level: Level, top: Option<&RenderedFinding>, lang: Lang) -> String {
        let texts = match level {
            Level::Safe => &self.summary.safe,
            Level::Suspicious => &self.summary.suspicious,
            Level::Dangerous => &self.summary.dangerous,
        };
        let args = [("top", top.map(|f| f.title.clone()).unwrap_or_default())];
        fill(texts.get(lang), &args)
    }
}

/// Replaces `{name}` placeholders; an argument never seen by the template is ignored and a missing one
/// leaves the placeholder visible, so a mistake shows instead of silently reading wrong.
fn fill(template: &str, args: &[(&'static str, String)]) -> String {
    // A handful of arguments: searched in place; the last of a name counts.
    let value = |name: &str| args.iter().rev().find(|(k, _)| *k == name).map(|(_, v)| v.as_str());
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    // Braces are ASCII, found as bytes (by memchr, faster than a `char` searcher on these texts).
    while let Some(open) = memchr::memchr(b'{', rest.as_bytes()) {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match memchr::memchr(b'}', after.as_bytes()).map(|close| (value(&after[..close]), close)) {
            Some((Some(value), close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The rules of a message's distinct finding ids (unknown ids left out), and the same as bits for
/// the combinations.
struct Ids<'r> {
    rules: Vec<&'r Rule>,
    bits: IdBits,
}

impl<'r> Ids<'r> {
    /// The ids that count: waived ones left out (see [`Waiver`]).
    fn of(rules: &'r Rules, findings: &[Finding]) -> Ids<'r> {
        let mut ids: Vec<&str> = findings.iter().map(|f| f.id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut counted: Vec<&Rule> = ids.iter().filter_map(|id| rules.get(id)).collect();
        let present = IdBits::of(counted.iter().copied());
        let deceived = counted.iter().any(|r| r.deceptive);
        for waiver in &rules.waivers {
            let applies = !deceived && present.meets(&waiver.trigger) && !present.meets(&waiver.voided_by);
            if applies {
                counted.retain(|r| !waiver.waived.contains(r));
            }
        }
        Ids { bits: IdBits::of(counted.iter().copied()), rules: counted }
    }
}

/// A set of finding ids as bits at their rules' indices: a combination's elements (groups of dozens
/// of ids) are tested against a message's findings a word at a time, not id by id.
#[derive(Debug, Default, Clone)]
struct IdBits(Vec<u64>);

impl IdBits {
    fn of<'r>(rules: impl Iterator<Item = &'r Rule>) -> IdBits {
        let mut bits = IdBits::default();
        for rule in rules {
            let word = rule.index / 64;
            if bits.0.len() <= word {
                bits.0.resize(word + 1, 0);
            }
            bits.0[word] |= 1 << (rule.index % 64);
        }
        bits
    }

    fn contains(&self, rule: &Rule) -> bool {
        self.0.get(rule.index / 64).is_some_and(|word| word >> (rule.index % 64) & 1 == 1)
    }

    fn add(&mut self, other: &IdBits) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (word, more) in self.0.iter_mut().zip(&other.0) {
            *word |= more;
        }
    }

    fn meets(&self, other: &IdBits) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_load_and_validate() {
        assert!(Rules::builtin().ids().count() >= 2);
        for (category, json) in FINDINGS {
            let part: FindingFile = tables::from_json(json, category).unwrap();
            assert!(
                part.finding.iter().all(|r| r.id.starts_with(&format!("{category}."))),
                "{category}.toml holds another category"
            );
        }
    }

    const MINIMAL_SCORING: &str = r#"
[scoring]
suspicious = 30
dangerous = 70
max = 100
[summary]
safe = { en = "ok", ja = "ok" }
suspicious = { en = "{top}", ja = "{top}" }
dangerous = { en = "{top}", ja = "{top}" }
"#;

    /// A finding table with the one rule `sender.x`, titled as given.
    fn one_finding(title_en: &str, title_ja: &str) -> String {
        format!(
            "[[finding]]\nid = \"sender.x\"\ncategory = \"sender\"\nseverity = \"high\"\nweight = 10\n\
             title = {{ en = \"{title_en}\", ja = \"{title_ja}\" }}\nexplanation = {{ en = \"e\", ja = \"e\" }}\n"
        )
    }

    /// A finding table with the one sender rule `id`, weighed and marked as given.
    fn table(id: &str, weight: u32, deceptive: bool) -> String {
        format!(
            "[[finding]]\nid = \"{id}\"\ncategory = \"sender\"\nseverity = \"high\"\nweight = {weight}\n\
             deceptive = {deceptive}\ntitle = {{ en = \"t\", ja = \"t\" }}\nexplanation = {{ en = \"e\", ja = \"e\" }}\n"
        )
    }

    fn findings(ids: &[&'static str]) -> Vec<Finding> {
        ids.iter().map(|id| Finding::new(id)).collect()
    }

    #[test]
    fn wording_alone_never_makes_a_message_dangerous() {
        let rules = Rules::builtin();
        // What checkers can say about the wording; findings shown by combinations are not wording.
        let shown: FxHashSet<&str> = rules.combos.iter().filter_map(|c| c.finding).collect();
        let content: Vec<&'static str> = FINDINGS
            .iter()
            .filter(|(c, _)| *c == "content")
            .flat_map(|(_, t)| {
                let part: FindingFile = tables::from_json(t, "content").unwrap();
                part.finding.into_iter().map(|r| r.id)
            })
            .filter(|id| !shown.contains(id))
            .collect();
        assert!(content.len() > 3);
        let (score, level) = rules.score(&findings(&content));
        assert!(score >= rules.scoring.dangerous, "all content cues together should score high ({score})");
        assert_eq!(level, Level::Suspicious);
    }

    #[test]
    fn a_group_combination_adds_its_bonus_once() {
        let rules = Rules::builtin();
        let alone = |id| rules.score(&findings(&[id])).0;
        let (together, _) = rules.score(&findings(&["sender.self_sender", "content.lure_quota"]));
        assert!(together > alone("sender.self_sender") + alone("content.lure_quota"));
        let (twice, _) = rules.score(&findings(&["sender.self_sender", "content.lure_quota", "content.lure_quota"]));
        assert_eq!(twice, together);
    }

    #[test]
    fn combinations_must_name_known_groups() {
        let scoring = format!(
            "{MINIMAL_SCORING}{}",
            r#"
[[combo]]
name = "x"
all = ["sender.x", "@nowhere"]
bonus = 5
"#
        );
        let err = Rules::parse(&scoring, "[ja]", &[&one_finding("t", "t")]).err().unwrap();
        assert!(err.to_string().contains("unknown group"), "{err}");
    }

    #[test]
    fn a_scam_offer_from_a_hiding_sender_is_shown_and_can_be_dangerous() {
        let rules = Rules::builtin();
        let parts = ["content.lure_gambling", "sender.platform_subdomain"];
        let (alone, level_alone) = rules.score(&findings(&parts[..1]));
        assert_eq!(level_alone, Level::Safe, "a casino offer alone is wording ({alone})");
        let rendered = rules.render(findings(&parts), Lang::Ja);
        let shown = rendered.iter().find(|f| f.id == "content.concealed_scam_offer").expect("combination shown");
        let titles: Vec<&str> = shown.evidence.iter().map(|e| e.value.as_str()).collect();
        let title = |id| &*rules.get(id).unwrap().title.ja;
        assert_eq!(titles, [title(parts[0]), title(parts[1])]);
        assert!(shown.evidence.iter().all(|e| e.label == "兆候"));
        let (_, level) = rules.score(&findings(&[parts[0], parts[1], "links.shortener", "sender.reply_to_freemail"]));
        assert_eq!(level, Level::Dangerous);
    }

    #[test]
    fn an_advance_fee_letter_from_a_free_mailbox_is_dangerous_one_phrase_or_a_lottery_is_not() {
        let rules = Rules::builtin();
        let level = |ids: &[&'static str]| rules.score(&findings(ids)).1;
        assert_eq!(level(&["content.lure_advance_fee"]), Level::Safe, "the story alone is wording");
        let letter = ["content.lure_advance_fee", "content.advance_fee_letter"];
        assert_eq!(level(&letter), Level::Suspicious, "told in full by a company: no one hides");
        assert_eq!(level(&[letter[0], letter[1], "sender.free_mailbox"]), Level::Dangerous);
        assert_eq!(level(&[letter[0], "sender.free_mailbox"]), Level::Suspicious, "one phrase to a friend");
        assert_eq!(level(&[letter[0], "sender.free_mailbox", "sender.reply_to_freemail"]), Level::Dangerous);
        assert_eq!(level(&["content.lure_prize", "sender.free_mailbox"]), Level::Suspicious);
    }

    #[test]
    fn a_brand_in_the_subject_with_an_account_notice_is_a_claim() {
        let rules = Rules::builtin();
        let shown = |ids: &[&'static str]| {
            rules.render(findings(ids), Lang::En).iter().any(|f| f.id == "sender.brand_account_notice")
        };
        assert!(shown(&["sender.subject_names_brand", "content.lure_account_suspended"]));
        assert!(!shown(&["sender.subject_names_brand", "content.lure_prize"]), "a shop's Amazon raffle");
        assert!(!shown(&["content.lure_account_suspended"]));
        assert_eq!(rules.score(&findings(&["sender.subject_names_brand"])), (0, Level::Safe));
    }

    #[test]
    fn a_from_line_without_a_valid_address_is_an_untraceable_sender() {
        let rules = Rules::builtin();
        let level = |ids: &[&'static str]| rules.score(&findings(ids)).1;
        let shows = |ids: &[&'static str], id: &str| rules.render(findings(ids), Lang::En).iter().any(|f| f.id == id);
        assert_eq!(level(&["sender.malformed_from"]), Level::Safe, "an old mailer's broken From alone");
        assert!(shows(&["sender.malformed_from", "links.shortener"], "content.masked_mailing"));
        assert_eq!(level(&["sender.malformed_from", "links.shortener"]), Level::Dangerous);
        assert!(shows(&["sender.malformed_from", "content.lure_prize"], "content.concealed_scam_offer"));
        assert_eq!(level(&["sender.malformed_from", "content.lure_prize"]), Level::Dangerous);
        assert!(shows(&["sender.malformed_from", "content.lure_quota"], "content.untraceable_account_notice"));
        assert!(!shows(&["sender.malformed_from", "content.lure_delivery"], "content.untraceable_account_notice"));
        assert_eq!(level(&["sender.malformed_from", "content.urgency"]), Level::Suspicious, "no lure, no hidden link");
    }

    #[test]
    fn a_disguised_sender_name_telling_a_lure_weighs_like_a_claimed_identity() {
        let rules = Rules::builtin();
        let level = |ids: &[&'static str]| rules.score(&findings(ids)).1;
        assert_eq!(level(&["sender.disguised_name"]), Level::Safe, "a disguised name alone");
        assert_eq!(level(&["content.lure_payment", "content.obfuscated_text"]), Level::Suspicious, "disguised wording");
        let (pair, _) = rules.score(&findings(&["sender.disguised_name", "content.lure_payment"]));
        let (masked_text, _) = rules.score(&findings(&["content.obfuscated_text", "content.lure_payment"]));
        assert!(pair >= masked_text + 20, "a masked name weighs more than masked wording ({pair} vs {masked_text})");
        assert_eq!(
            level(&["sender.disguised_name", "content.lure_payment", "content.urgent_subject"]),
            Level::Dangerous
        );
        assert_eq!(level(&["sender.disguised_name", "content.urgency"]), Level::Safe, "no lure");
    }

    #[test]
    fn a_picture_behind_a_shortened_link_from_a_free_mailbox_is_filter_evasion() {
        let rules = Rules::builtin();
        let shown = |ids: &[&'static str]| {
            rules.render(findings(ids), Lang::En).iter().any(|f| f.id == "content.filter_evasion")
        };
        assert!(shown(&["content.image_only", "links.shortener", "sender.free_mailbox"]));
        assert!(!shown(&["content.image_only", "links.shortener"]), "a company's picture mail with a tracked link");
        assert!(!shown(&["content.image_only", "sender.free_mailbox"]), "a photo sent by a friend");
    }

    #[test]
    fn a_shown_combination_weighs_its_finding_and_can_make_a_verdict_dangerous() {
        let tables = [table("sender.x", 40, false), table("sender.y", 20, false), table("sender.z", 15, true)];
        let scoring = format!(
            "{MINIMAL_SCORING}\n[[combo]]\nname = \"c\"\nall = [\"sender.x\", \"sender.y\"]\nfinding = \"sender.z\"\n"
        );
        let rules = Rules::parse(&scoring, "[ja]", &tables.iter().map(String::as_str).collect::<Vec<_>>()).unwrap();
        assert_eq!(rules.score(&findings(&["sender.x"])), (40, Level::Suspicious));
        assert_eq!(rules.score(&findings(&["sender.x", "sender.y"])), (75, Level::Dangerous));
        let ids: Vec<String> =
            rules.render(findings(&["sender.x", "sender.y"]), Lang::En).into_iter().map(|f| f.id).collect();
        assert_eq!(ids, ["sender.x", "sender.y", "sender.z"]);
    }

    #[test]
    fn the_verified_brands_own_account_notice_does_not_count_unless_something_deceives() {
        let rules = Rules::builtin();
        let notice = ["content.lure_account_suspended", "content.lure_verify", "content.urgency"];
        let (score, level) = rules.score(&findings(&notice));
        assert!(score >= rules.scoring.suspicious, "the notice alone warns ({score})");
        let verified = |extra: &[&'static str]| {
            let ids: Vec<&'static str> = notice.iter().chain(extra).chain(&["auth.brand_verified"]).copied().collect();
            rules.score(&findings(&ids))
        };
        assert_eq!(verified(&[]), (0, Level::Safe));
        // Still shown, after the verification that sets it aside, marked and counted for nothing.
        let shown: Vec<(String, u32, bool)> = rules
            .render(findings(&["content.lure_verify", "auth.brand_verified"]), Lang::En)
            .into_iter()
            .map(|f| (f.id, f.score, f.waived))
            .collect();
        assert_eq!(shown, [("auth.brand_verified".into(), 0, false), ("content.lure_verify".into(), 0, true)]);
        let alone = rules.render(findings(&["content.lure_verify"]), Lang::En);
        assert!(!alone[0].waived && alone[0].score > 0);
        assert_eq!(verified(&["links.lookalike"]).1, Level::Dangerous, "a deceptive finding voids the waiver");
        assert!(verified(&["links.shortener"]).0 > score, "a hidden link voids it");
        assert!(verified(&["attachments.html_form"]).1 != Level::Safe, "an active attachment voids it");
        assert!(verified(&["content.lure_payment"]).0 > 0, "payment wording is not waived");
        assert_eq!(level, Level::Suspicious);
    }

    #[test]
    fn a_waiver_names_known_findings_and_never_waives_deception() {
        let tables = [table("sender.x", 40, false), table("sender.ok", 0, false), table("sender.lie", 40, true)];
        let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
        let waiver = |when: &str, waives: &str| {
            format!("{MINIMAL_SCORING}\n[[waiver]]\nname = \"w\"\nwhen = \"{when}\"\nwaives = [{waives}]\n")
        };
        let rules = Rules::parse(&waiver("sender.ok", "\"sender.x\""), "[ja]", &tables).unwrap();
        assert_eq!(rules.score(&findings(&["sender.x", "sender.ok"])), (0, Level::Safe));
        assert_eq!(rules.score(&findings(&["sender.x"])), (40, Level::Suspicious));
        assert_eq!(rules.score(&findings(&["sender.x", "sender.ok", "sender.lie"])).0, 80);
        assert!(Rules::parse(&waiver("sender.ok", "\"sender.lie\""), "[ja]", &tables).is_err());
        assert!(Rules::parse(&waiver("sender.nowhere", "\"sender.x\""), "[ja]", &tables).is_err());
        assert!(Rules::parse(&waiver("sender.ok", "\"@nowhere\""), "[ja]", &tables).is_err());
        assert!(Rules::parse(&waiver("sender.ok", ""), "[ja]", &tables).is_err());
    }

    #[test]
    fn groups_expand_named_groups_one_level_deep() {
        let groups = |text: &str| expand_groups(toml::from_str(tables::kept(text)).unwrap());
        let expanded = groups("a = [\"x\"]\nb = [\"y\", \"@a\"]").unwrap();
        assert_eq!(expanded["b"], ["y", "x"]);
        assert!(groups("a = [\"@b\"]\nb = [\"@c\"]\nc = [\"x\"]").is_err());
        assert!(groups("a = [\"@nowhere\"]").is_err());
    }

    #[test]
    fn a_combination_shows_a_known_finding_or_adds_a_bonus() {
        let combo = |body: &str| {
            format!("{MINIMAL_SCORING}\n[[combo]]\nname = \"x\"\nall = [\"sender.x\", \"sender.x\"]\n{body}\n")
        };
        let table = one_finding("t", "t");
        assert!(Rules::parse(&combo("bonus = 5"), "[ja]", &[&table]).is_ok());
        assert!(Rules::parse(&combo("finding = \"sender.x\""), "[ja]", &[&table]).is_ok());
        assert!(Rules::parse(&combo(""), "[ja]", &[&table]).is_err());
        assert!(Rules::parse(&combo("finding = \"sender.y\""), "[ja]", &[&table]).is_err());
        assert!(Rules::parse(&combo("bonus = 5\nfinding = \"sender.x\""), "[ja]", &[&table]).is_err());
        let twice = format!(
            "{}\n[[combo]]\nname = \"y\"\nall = [\"sender.x\", \"sender.x\"]\nfinding = \"sender.x\"\n",
            combo("finding = \"sender.x\"")
        );
        let err = Rules::parse(&twice, "[ja]", &[&table]).err().expect("a finding shown twice is rejected");
        assert!(err.to_string().contains("two combinations"), "{err}");
    }

    #[test]
    fn fill_replaces_known_placeholders_only() {
        let args = [("brand", "Kagoya".to_string())];
        assert_eq!(fill("{brand} vs {other}", &args), "Kagoya vs {other}");
    }

    #[test]
    fn placeholders_mismatch_is_rejected() {
        assert!(Rules::parse(MINIMAL_SCORING, "[ja]", &[&one_finding("{brand}", "ブランド")]).is_err());
    }
}
