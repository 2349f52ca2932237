//! Every occurrence of a fixed set of strings in a text: an Aho-Corasick automaton, reporting what
//! `aho_corasick`'s overlapping search with standard semantics reports, in the same order (a test
//! compares them).
//!
//! Why not that crate: a process spawned for one message builds each automaton once and uses it once,
//! and its builder (tuned for automata searched many times) was most of a cold start. This one is
//! laid out in a single breadth-first pass over the sorted patterns, with no allocation per state.

use anyhow::{Result, ensure};

/// A state of the automaton: a prefix of one or more patterns.
#[derive(Debug, Clone, Copy)]
struct State {
    /// Its transitions are `bytes[first..end]` (sorted) leading to `targets[first..end]`.
    first: u32,
    end: u32,
    /// The longest proper suffix of this state's prefix that is a state too.
    fail: u32,
    /// The nearest state on the failure chain at which patterns end, or `NONE`.
    output: u32,
    /// The first state whose patterns end when this one is reached: itself or `output`.
    report: u32,
    /// Its row of transitions in `Matcher::rows` if it has one, or `NONE`.
    row: u32,
    /// The patterns equal to this state's prefix are `ends[ends_first..ends_end]`.
    ends_first: u32,
    ends_end: u32,
    /// Length of the prefix: every pattern ending here is this long.
    depth: u32,
}

const ROOT: u32 = 0;
const NONE: u32 = u32::MAX;

/// States this shallow get a row of transitions for all 256 bytes, failures resolved: text keeps
/// coming back to them (most of it matches nothing), and a row spares the search and the failure
/// links. Deeper states are few per text and have a child or two each.
const DENSE_DEPTH: u32 = 2;

pub struct Matcher {
    states: Vec<State>,
    bytes: Vec<u8>,
    targets: Vec<u32>,
    /// Pattern ids by the state where they end, equal patterns by id.
    ends: Vec<u32>,
    /// 256 transitions per row, for the states of `DENSE_DEPTH` and less; the root's first.
    rows: Vec<u32>,
}

/// An occurrence of pattern `pattern` (its index in the list given to [`Matcher::new`]) at
/// `start..end` of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pattern: usize,
    start: usize,
    end: usize,
}

impl Match {
    pub fn pattern(&self) -> usize {
        self.pattern
    }
    pub fn start(&self) -> usize {
        self.start
    }
    pub fn end(&self) -> usize {
        self.end
    }
}

impl Matcher {
    /// An automaton for non-empty patterns (at most `u32::MAX` bytes in all).
    pub fn new<P: AsRef<[u8]>>(patterns: &[P]) -> Result<Matcher> {
        let patterns: Vec<&[u8]> = patterns.iter().map(AsRef::as_ref).collect();
        ensure!(patterns.iter().all(|p| !p.is_empty()), "empty pattern");
        let total: usize = patterns.iter().map(|p| p.len()).sum();
        // No pattern is empty, so this bounds their number too.
        ensure!(u32::try_from(total).is_ok(), "patterns too long");
        // Sorted, the patterns sharing a prefix are a run, and those ending at it come first; the sort
        // is stable, so equal patterns stay in id order.
        let mut sorted: Vec<u32> = (0..patterns.len() as u32).collect();
        sorted.sort_by_key(|&id| patterns[id as usize]);
        let pattern = |at: usize| patterns[sorted[at] as usize];

        let mut matcher = Matcher {
            states: Vec::with_capacity(total + 1),
            bytes: Vec::with_capacity(total),
            targets: Vec::with_capacity(total),
            ends: Vec::with_capacity(patterns.len()),
            rows: vec![ROOT; 256],
        };
        let root = State {
            first: 0,
            end: 0,
            fail: ROOT,
            output: NONE,
            report: NONE,
            row: 0,
            ends_first: 0,
            ends_end: 0,
            depth: 0,
        };
        matcher.states.push(root);
        // For each state, the run of `sorted` with the patterns longer than its prefix that start with it.
        let mut longer: Vec<(usize, usize)> = Vec::with_capacity(total + 1);
        longer.push((0, sorted.len()));
        // States are made breadth first, so they are laid out in the order they are numbered: a
        // state's transitions come together, and the shallower states its failure link can point to
        // are complete before it gets one.
        let mut state = 0;
        while let Some(&(mut at, hi)) = longer.get(state) {
            let depth = matcher.states[state].depth as usize;
            let first = matcher.bytes.len() as u32;
            while at < hi {
                let byte = pattern(at)[depth];
                let run_end = (at..hi).find(|&i| pattern(i)[depth] != byte).unwrap_or(hi);
                let ending = (at..run_end).find(|&i| pattern(i).len() > depth + 1).unwrap_or(run_end);
                let child = matcher.states.len() as u32;
                let fail = if state == 0 { ROOT } else { matcher.next(matcher.states[state].fail, byte) };
                let fail_state = matcher.states[fail as usize];
                let output = if fail_state.ends_end > fail_state.ends_first { fail } else { fail_state.output };
                let ends_first = matcher.ends.len() as u32;
                matcher.ends.extend_from_slice(&sorted[at..ending]);
                matcher.states.push(State {
                    first: 0,
                    end: 0,
                    fail,
                    output,
                    report: if ending > at { child } else { output },
                    row: NONE,
                    ends_first,
                    ends_end: matcher.ends.len() as u32,
                    depth: depth as u32 + 1,
                });
                longer.push((ending, run_end));
                matcher.bytes.push(byte);
                matcher.targets.push(child);
                if state == 0 {
                    matcher.rows[usize::from(byte)] = child;
                }
                at = run_end;
            }
            let laid_out = &mut matcher.states[state];
            (laid_out.first, laid_out.end) = (first, matcher.bytes.len() as u32);
            state += 1;
        }
        // The other shallow states' rows: their failure state's (shallower, so done before) with their
        // own transitions written over it. States are numbered by depth.
        for state in 1..matcher.states.len() {
            let s = matcher.states[state];
            if s.depth > DENSE_DEPTH {
                break;
            }
            let row = matcher.rows.len();
            let fail_row = matcher.states[s.fail as usize].row as usize * 256;
            matcher.rows.extend_from_within(fail_row..fail_row + 256);
            for i in s.first as usize..s.end as usize {
                matcher.rows[row + usize::from(matcher.bytes[i])] = matcher.targets[i];
            }
            matcher.states[state].row = (row / 256) as u32;
        }
        Ok(matcher)
    }

    /// The state after reading `byte` in `state`.
    #[inline]
    fn next(&self, mut state: u32, byte: u8) -> u32 {
        loop {
            let s = &self.states[state as usize];
            if s.row != NONE {
                return self.rows[s.row as usize * 256 + usize::from(byte)];
            }
            let (first, end) = (s.first as usize, s.end as usize);
            if let Ok(i) = self.bytes[first..end].binary_search(&byte) {
                return self.targets[first + i];
            }
            state = s.fail;
        }
    }

    /// Every occurrence of every pattern in `text`, by where it ends; those ending together longest
    /// first (equal patterns by id).
    pub fn find_overlapping_iter<'m, 't>(&'m self, text: &'t str) -> Matches<'m, 't> {
        Matches { matcher: self, text: text.as_bytes(), pos: 0, state: ROOT, reporting: NONE, next_end: 0 }
    }
}

/// The iterator of [`Matcher::find_overlapping_iter`].
pub struct Matches<'m, 't> {
    matcher: &'m Matcher,
    text: &'t [u8],
    /// Bytes read so far.
    pos: usize,
    state: u32,
    /// The state whose patterns are being reported (`NONE` when none is), and the next of them.
    reporting: u32,
    next_end: u32,
}

impl Iterator for Matches<'_, '_> {
    type Item = Match;

    fn next(&mut self) -> Option<Match> {
        let states = &self.matcher.states;
        loop {
            if self.reporting != NONE {
                let s = &states[self.reporting as usize];
                if self.next_end < s.ends_end {
                    let pattern = self.matcher.ends[self.next_end as usize] as usize;
                    self.next_end += 1;
                    return Some(Match { pattern, start: self.pos - s.depth as usize, end: self.pos });
                }
                self.reporting = s.output;
                self.next_end = states.get(s.output as usize).map_or(0, |o| o.ends_first);
                continue;
            }
            // Most bytes end no pattern: read on to one that does (in locals, the loop is hot).
            let (mut pos, mut state) = (self.pos, self.state);
            let report = loop {
                let Some(&byte) = self.text.get(pos) else {
                    (self.pos, self.state) = (pos, state);
                    return None;
                };
                pos += 1;
                state = self.matcher.next(state, byte);
                let report = states[state as usize].report;
                if report != NONE {
                    break report;
                }
            };
            (self.pos, self.state, self.reporting) = (pos, state, report);
            self.next_end = states[report as usize].ends_first;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};

    fn ours(patterns: &[&str], text: &str) -> Vec<(usize, usize, usize)> {
        let m = Matcher::new(patterns).unwrap();
        m.find_overlapping_iter(text).map(|m| (m.pattern(), m.start(), m.end())).collect()
    }

    fn reference(patterns: &[&str], text: &str) -> Vec<(usize, usize, usize)> {
        let ac = AhoCorasick::builder().match_kind(MatchKind::Standard).build(patterns).unwrap();
        ac.find_overlapping_iter(text).map(|m| (m.pattern().as_usize(), m.start(), m.end())).collect()
    }

    #[test]
    fn reports_what_aho_corasick_reports() {
        let patterns = ["he", "she", "his", "hers", "she", "e", "カード", "ード", "三井住友カード"];
        let text = "ushers she said; his hers; 三井住友カード カード";
        assert_eq!(ours(&patterns, text), reference(&patterns, text));
        assert!(ours(&patterns, text).contains(&(4, 1, 4)), "a repeated pattern is reported under each id");
        assert!(ours(&patterns, "").is_empty() && ours(&["x"], "yyy").is_empty());
        assert!(Matcher::new(&["a", ""]).is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_patterns_in_any_text_match_as_aho_corasick_does(
            patterns in proptest::collection::vec("[abé]{1,6}", 1..16),
            text in "[abcé]{0,60}",
        ) {
            let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(ours(&patterns, &text), reference(&patterns, &text));
        }
    }
}
