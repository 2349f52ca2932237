//! The rule table: every finding id with its texts, severity and weight (`data/findings/*.toml`, one
//! file per category), and the scoring thresholds and combinations (`data/scoring.toml`). Scoring is
//! data; this module only applies it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use anyhow::{Context as _, Result, bail, ensure};
use serde::Deserialize;

use crate::model::{Category, Evidence, Finding, Lang, Level, RenderedFinding, Severity};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub en: String,
    pub ja: String,
}

impl Texts {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub category: Category,
    pub severity: Severity,
    pub weight: u32,
    /// Deception of identity or of a link: a verdict reaches `dangerous` only with one of these.
    #[serde(default)]
    pub deceptive: bool,
    pub title: Texts,
    pub explanation: Texts,
}

/// Extra points when findings appear together (e.g. a self-sender *and* a lure).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combo {
    pub name: String,
    /// Every element must be present: a finding id, or `@group` for any id of that group.
    pub all: Vec<String>,
    pub bonus: u32,
    /// `all`, resolved: for each element, the ids that satisfy it.
    #[serde(skip)]
    requires: Vec<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    pub suspicious: u32,
    pub dangerous: u32,
    pub max: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summaries {
    pub safe: Texts,
    pub suspicious: Texts,
    pub dangerous: Texts,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoringFile {
    scoring: Scoring,
    summary: Summaries,
    /// Named sets of finding ids that combinations refer to as `@name`.
    #[serde(default)]
    group: HashMap<String, Vec<String>>,
    #[serde(default)]
    combo: Vec<Combo>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingFile {
    #[serde(default)]
    finding: Vec<Rule>,
}

/// The built-in tables, embedded in the binary.
const SCORING: &str = include_str!("../data/scoring.toml");
const LABELS: &str = include_str!("../data/labels.toml");
const FINDINGS: [(&str, &str); 8] = [
    ("sender", include_str!("../data/findings/sender.toml")),
    ("received", include_str!("../data/findings/received.toml")),
    ("auth", include_str!("../data/findings/auth.toml")),
    ("links", include_str!("../data/findings/links.toml")),
    ("content", include_str!("../data/findings/content.toml")),
    ("attachments", include_str!("../data/findings/attachments.toml")),
    ("server", include_str!("../data/findings/server.toml")),
    ("limits", include_str!("../data/findings/limits.toml")),
];

/// `data/labels.toml`: Japanese names of evidence labels.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelFile {
    ja: HashMap<String, String>,
}

pub struct Rules {
    pub scoring: Scoring,
    labels_ja: HashMap<String, String>,
    pub summary: Summaries,
    pub combos: Vec<Combo>,
    by_id: HashMap<String, Rule>,
}

static BUILTIN: LazyLock<Rules> = LazyLock::new(|| {
    // The embedded table is validated by a unit test, so this cannot fail in a released binary.
    Rules::parse(SCORING, LABELS, &FINDINGS.map(|(_, text)| text)).expect("built-in rule tables are valid")
});

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

    pub fn parse(scoring: &str, labels: &str, findings: &[&str]) -> Result<Rules> {
        let labels: LabelFile = toml::from_str(labels).context("labels.toml does not parse")?;
        ensure!(labels.ja.values().all(|v| !v.trim().is_empty()), "labels.toml has an empty translation");
        let file: ScoringFile = toml::from_str(scoring).context("scoring.toml does not parse")?;
        let s = &file.scoring;
        ensure!(
            0 < s.suspicious && s.suspicious < s.dangerous && s.dangerous <= s.max,
            "scoring thresholds out of order"
        );
        let mut by_id = HashMap::new();
        let mut rules = Vec::new();
        for (i, text) in findings.iter().enumerate() {
            let part: FindingFile =
                toml::from_str(text).with_context(|| format!("finding table #{i} does not parse"))?;
            rules.extend(part.finding);
        }
        for rule in rules {
            let prefix = format!("{}.", serde_json::to_value(rule.category)?.as_str().unwrap_or_default());
            ensure!(rule.id.starts_with(&prefix), "finding {} must start with its category {prefix}", rule.id);
            for text in [&rule.title, &rule.explanation] {
                ensure!(
                    !text.en.trim().is_empty() && !text.ja.trim().is_empty(),
                    "finding {} has an empty text",
                    rule.id
                );
                let en: HashSet<_> = placeholders(&text.en).collect();
                let ja: HashSet<_> = placeholders(&text.ja).collect();
                ensure!(en == ja, "finding {}: en and ja use different placeholders", rule.id);
            }
            ensure!(rule.weight <= s.max, "finding {} weighs more than the maximum score", rule.id);
            let id = rule.id.clone();
            if by_id.insert(id.clone(), rule).is_some() {
                bail!("duplicate finding id {id}");
            }
        }
        for (name, ids) in &file.group {
            for id in ids {
                ensure!(by_id.contains_key(id), "group {name} names unknown finding {id}");
            }
        }
        let mut combos = file.combo;
        for combo in &mut combos {
            ensure!(combo.all.len() >= 2, "combo {} must combine at least two elements", combo.name);
            for element in &combo.all {
                let ids = match element.strip_prefix('@') {
                    Some(group) => file
                        .group
                        .get(group)
                        .cloned()
                        .with_context(|| format!("combo {} names unknown group {group}", combo.name))?,
                    None => {
                        ensure!(by_id.contains_key(element), "combo {} names unknown finding {element}", combo.name);
                        vec![element.clone()]
                    }
                };
                combo.requires.push(ids);
            }
        }
        Ok(Rules { labels_ja: labels.ja, scoring: file.scoring, summary: file.summary, combos, by_id })
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.by_id.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.by_id.keys().map(String::as_str)
    }

    /// Scores a set of findings: each id counts once, combinations add their bonus, the total is
    /// capped; `dangerous` needs a deceptive finding, whatever the score.
    pub fn score(&self, findings: &[Finding]) -> (u32, Level) {
        let ids: HashSet<&str> = findings.iter().map(|f| f.id).collect();
        let mut score: u32 = ids.iter().filter_map(|id| self.get(id)).map(|r| r.weight).sum();
        for combo in &self.combos {
            if combo.requires.iter().all(|alternatives| alternatives.iter().any(|id| ids.contains(id.as_str()))) {
                score += combo.bonus;
            }
        }
        let score = score.min(self.scoring.max);
        let deceptive = ids.iter().filter_map(|id| self.get(id)).any(|r| r.deceptive);
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
        let mut out: Vec<RenderedFinding> = findings
            .into_iter()
            .filter_map(|f| {
                let rule = self.get(f.id)?;
                Some(RenderedFinding {
                    id: rule.id.clone(),
                    category: rule.category,
                    severity: rule.severity,
                    score: rule.weight,
                    title: fill(rule.title.get(lang), &f.args),
                    explanation: fill(rule.explanation.get(lang), &f.args),
                    evidence: f.evidence.into_iter().map(|e| self.localize(e, lang)).collect(),
                })
            })
            .collect();
        out.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.score.cmp(&a.score)));
        out
    }

    /// Evidence labels are written in English by the checkers; header names stay as they are.
    fn localize(&self, evidence: Evidence, lang: Lang) -> Evidence {
        match (lang, self.labels_ja.get(&evidence.label)) {
            (Lang::Ja, Some(label)) => Evidence { label: label.clone(), value: evidence.value },
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
    let map: BTreeMap<&str, &str> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if map.contains_key(name) => {
                out.push_str(map[name]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_load_and_validate() {
        let rules = Rules::parse(SCORING, LABELS, &FINDINGS.map(|(_, text)| text)).unwrap();
        assert!(rules.ids().count() >= 2);
        for (category, text) in FINDINGS {
            let part: FindingFile = toml::from_str(text).unwrap();
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

    fn findings(ids: &[&'static str]) -> Vec<Finding> {
        ids.iter().map(|id| Finding::new(id)).collect()
    }

    #[test]
    fn wording_alone_never_makes_a_message_dangerous() {
        let rules = Rules::builtin();
        let content: Vec<&'static str> = FINDINGS
            .iter()
            .filter(|(c, _)| *c == "content")
            .flat_map(|(_, t)| {
                let part: FindingFile = toml::from_str(t).unwrap();
                part.finding.into_iter().map(|r| &*Box::leak(r.id.into_boxed_str()))
            })
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
    fn fill_replaces_known_placeholders_only() {
        let args = [("brand", "Kagoya".to_string())];
        assert_eq!(fill("{brand} vs {other}", &args), "Kagoya vs {other}");
    }

    #[test]
    fn placeholders_mismatch_is_rejected() {
        assert!(Rules::parse(MINIMAL_SCORING, "[ja]", &[&one_finding("{brand}", "ブランド")]).is_err());
    }
}
