//! Every occurrence of a fixed set of strings in a text: an Aho-Corasick automaton, reporting what
//! `aho_corasick`'s overlapping search with standard semantics reports, in the same order (a test
//! compares them).
//!
//! Why not that crate: a process spawned for one message builds each automaton once and uses it once,
//! and its builder (tuned for automata searched many times) was most of a cold start. This one is
//! laid out in a single breadth-first pass over the sorted patterns, with no allocation per state.
//! The automata of the built-in tables are laid out by build.rs with this same code and written into
//! the binary ([`Matcher::write_rust`]): a cold start pays neither their construction nor the memory
//! it writes, only the pages a search reads.

use std::borrow::Cow;
use std::fmt::Write as _;

use anyhow::{Result, ensure};

/// A state of the automaton: a prefix of one or more patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
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

impl State {
    /// A state from its fields in declaration order, as [`Matcher::write_rust`] writes them.
    pub const fn from_fields(fields: [u32; 9]) -> State {
        let [first, end, fail, output, report, row, ends_first, ends_end, depth] = fields;
        State { first, end, fail, output, report, row, ends_first, ends_end, depth }
    }

    fn fields(&self) -> [u32; 9] {
        let s = self;
        [s.first, s.end, s.fail, s.output, s.report, s.row, s.ends_first, s.ends_end, s.depth]
    }
}

const ROOT: u32 = 0;
const NONE: u32 = u32::MAX;
/// Set in an entry of a row, with the state it leads to, when that state ends patterns (itself or on
/// its failure chain) or has no row: the search leaves the rows there. An entry without it is the row
/// of the state it leads to, as an offset into `Matcher::rows`: the search reads on from it directly.
const LEAVES: u32 = 1 << 31;

/// States this shallow get a row of transitions for all 256 bytes, failures resolved: text keeps
/// coming back to them (most of it matches nothing), and a row spares the search and the failure
/// links. Deeper states are few per text and have a child or two each. At depth 3 words of prose
/// still walk in and out of the phrases' common starts (`acc`, `you`); the rows of the built-in
/// automata take 2.2 MB of the binary (0.9 MB at depth 2), of which a search touches few.
const DENSE_DEPTH: u32 = 3;

/// An automaton: built at run time ([`Matcher::new`]), or laid out at build time and borrowed from
/// the binary ([`Matcher::from_static`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    states: Cow<'static, [State]>,
    bytes: Cow<'static, [u8]>,
    targets: Cow<'static, [u32]>,
    /// Pattern ids by the state where they end, equal patterns by id.
    ends: Cow<'static, [u32]>,
    /// 256 transitions per row, for the states of `DENSE_DEPTH` and less, which are numbered first
    /// (by depth): state `s`'s row is the `s`th. Entries are written by [`row_entry`].
    rows: Cow<'static, [u32]>,
}

/// Where a table's automata come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Laid out now, from the table's patterns.
    Now,
    /// The built-in table's, laid out by build.rs from the same patterns (a test per table compares).
    Prebuilt,
}

impl Layout {
    /// The automaton of `patterns`, or `prebuilt` (which build.rs laid out from them).
    pub fn matcher<P: AsRef<[u8]>>(self, patterns: &[P], prebuilt: &'static Matcher) -> Result<Matcher> {
        match self {
            Layout::Now => Matcher::new(patterns),
            Layout::Prebuilt => Ok(prebuilt.clone()),
        }
    }
}

/// An automaton's arrays, borrowed once per search rather than through each `Cow` at every byte.
#[derive(Clone, Copy)]
struct Arrays<'m> {
    states: &'m [State],
    bytes: &'m [u8],
    targets: &'m [u32],
    ends: &'m [u32],
    rows: &'m [u32],
}

impl Arrays<'_> {
    /// The state after reading `byte` in `state`.
    #[inline]
    fn next(&self, mut state: u32, byte: u8) -> u32 {
        loop {
            let s = &self.states[state as usize];
            if s.row != NONE {
                return state_of_entry(self.rows[s.row as usize * 256 + usize::from(byte)]);
            }
            let (first, end) = (s.first as usize, s.end as usize);
            if let Ok(i) = self.bytes[first..end].binary_search(&byte) {
                return self.targets[first + i];
            }
            state = s.fail;
        }
    }
}

/// The entry of a row for a transition to `target` (see [`LEAVES`]). States with rows are numbered
/// first, and [`Matcher::new`] refuses more of them than keep their offsets below `LEAVES`.
fn row_entry(states: &[State], target: u32) -> u32 {
    let s = &states[target as usize];
    if s.report != NONE || s.depth > DENSE_DEPTH { target | LEAVES } else { target * 256 }
}

/// The state a row entry leads to.
fn state_of_entry(entry: u32) -> u32 {
    if entry & LEAVES != 0 { entry & !LEAVES } else { entry / 256 }
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
        // No pattern is empty, so this bounds their number too (and so the states', below `LEAVES`).
        ensure!(total < LEAVES as usize, "patterns too long");
        // Sorted, the patterns sharing a prefix are a run, and those ending at it come first; the sort
        // is stable, so equal patterns stay in id order.
        let mut sorted: Vec<u32> = (0..patterns.len() as u32).collect();
        sorted.sort_by_key(|&id| patterns[id as usize]);
        let pattern = |at: usize| patterns[sorted[at] as usize];

        let mut states = Vec::with_capacity(total + 1);
        let mut bytes = Vec::with_capacity(total);
        let mut targets = Vec::with_capacity(total);
        let mut ends = Vec::with_capacity(patterns.len());
        let mut rows = vec![ROOT; 256];
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
        states.push(root);
        // For each state, the run of `sorted` with the patterns longer than its prefix that start with it.
        let mut longer: Vec<(usize, usize)> = Vec::with_capacity(total + 1);
        longer.push((0, sorted.len()));
        // States are made breadth first, so they are laid out in the order they are numbered: a
        // state's transitions come together, and the shallower states its failure link can point to
        // are complete before it gets one.
        let mut state = 0;
        while let Some(&(mut at, hi)) = longer.get(state) {
            let depth = states[state].depth as usize;
            let first = bytes.len() as u32;
            while at < hi {
                let byte = pattern(at)[depth];
                let run_end = (at..hi).find(|&i| pattern(i)[depth] != byte).unwrap_or(hi);
                let ending = (at..run_end).find(|&i| pattern(i).len() > depth + 1).unwrap_or(run_end);
                let child = states.len() as u32;
                let fail = if state == 0 {
                    ROOT
                } else {
                    let arrays = Arrays { states: &states, bytes: &bytes, targets: &targets, ends: &ends, rows: &rows };
                    arrays.next(states[state].fail, byte)
                };
                let fail_state = states[fail as usize];
                let output = if fail_state.ends_end > fail_state.ends_first { fail } else { fail_state.output };
                let ends_first = ends.len() as u32;
                ends.extend_from_slice(&sorted[at..ending]);
                states.push(State {
                    first: 0,
                    end: 0,
                    fail,
                    output,
                    report: if ending > at { child } else { output },
                    row: NONE,
                    ends_first,
                    ends_end: ends.len() as u32,
                    depth: depth as u32 + 1,
                });
                longer.push((ending, run_end));
                bytes.push(byte);
                targets.push(child);
                if state == 0 {
                    rows[usize::from(byte)] = row_entry(&states, child);
                }
                at = run_end;
            }
            let laid_out = &mut states[state];
            (laid_out.first, laid_out.end) = (first, bytes.len() as u32);
            state += 1;
        }
        // Rows are addressed by offsets below `LEAVES` (see `row_entry`).
        let shallow = states.iter().take_while(|s| s.depth <= DENSE_DEPTH).count();
        ensure!(shallow < (LEAVES / 256) as usize, "patterns too many for the automaton's rows");
        // The other shallow states' rows: their failure state's (shallower, so done before) with their
        // own transitions written over it. States are numbered by depth.
        for state in 1..states.len() {
            let s = states[state];
            if s.depth > DENSE_DEPTH {
                break;
            }
            let row = rows.len();
            debug_assert_eq!(row / 256, state, "the shallow states' rows are in state order");
            let fail_row = states[s.fail as usize].row as usize * 256;
            rows.extend_from_within(fail_row..fail_row + 256);
            for i in s.first as usize..s.end as usize {
                rows[row + usize::from(bytes[i])] = row_entry(&states, targets[i]);
            }
            states[state].row = (row / 256) as u32;
        }
        Ok(Matcher {
            states: states.into(),
            bytes: bytes.into(),
            targets: targets.into(),
            ends: ends.into(),
            rows: rows.into(),
        })
    }

    /// An automaton written by [`Matcher::write_rust`].
    pub const fn from_static(
        states: &'static [State],
        bytes: &'static [u8],
        targets: &'static [u32],
        ends: &'static [u32],
        rows: &'static [u32],
    ) -> Matcher {
        Matcher {
            states: Cow::Borrowed(states),
            bytes: Cow::Borrowed(bytes),
            targets: Cow::Borrowed(targets),
            ends: Cow::Borrowed(ends),
            rows: Cow::Borrowed(rows),
        }
    }

    /// Rust source of a `static` named `name` holding this automaton (through [`Matcher::from_static`]),
    /// for build.rs to write. The source names `Matcher` and `State`, which must be in scope.
    pub fn write_rust(&self, name: &str) -> String {
        let mut out = format!("pub static {name}: Matcher = Matcher::from_static(\n&[");
        for state in self.states.iter() {
            let _ = write!(out, "State::from_fields({:?}),", state.fields());
        }
        let (bytes, targets, ends, rows) = (&*self.bytes, &*self.targets, &*self.ends, &*self.rows);
        let _ = writeln!(out, "],\n&{bytes:?},\n&{targets:?},\n&{ends:?},\n&{rows:?});");
        out
    }

    fn arrays(&self) -> Arrays<'_> {
        Arrays { states: &self.states, bytes: &self.bytes, targets: &self.targets, ends: &self.ends, rows: &self.rows }
    }

    /// Every occurrence of every pattern in `text`, by where it ends; those ending together longest
    /// first (equal patterns by id).
    pub fn find_overlapping_iter<'m, 't>(&'m self, text: &'t str) -> Matches<'m, 't> {
        Matches { arrays: self.arrays(), text: text.as_bytes(), pos: 0, state: ROOT, reporting: NONE, next_end: 0 }
    }
}

/// The iterator of [`Matcher::find_overlapping_iter`].
pub struct Matches<'m, 't> {
    arrays: Arrays<'m>,
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
        let arrays = self.arrays;
        let states = arrays.states;
        loop {
            if self.reporting != NONE {
                let s = &states[self.reporting as usize];
                if self.next_end < s.ends_end {
                    let pattern = arrays.ends[self.next_end as usize] as usize;
                    self.next_end += 1;
                    return Some(Match { pattern, start: self.pos - s.depth as usize, end: self.pos });
                }
                self.reporting = s.output;
                self.next_end = states.get(s.output as usize).map_or(0, |o| o.ends_first);
                continue;
            }
            // Most bytes end no pattern: read on to one that does (in locals, the loop is hot). Most
            // bytes are read in the shallow states, through their rows alone. The bytes come from a
            // slice iterator, which ends on a pointer comparison: the position is worked out once,
            // when a pattern ends, not kept and checked beside it at every byte.
            let mut state = self.state;
            let mut bytes = self.text.get(self.pos..).unwrap_or_default().iter();
            let report = loop {
                let row = states[state as usize].row;
                if row != NONE {
                    // From row to row by their entries' offsets, until one leads elsewhere (`LEAVES`).
                    let mut at = row as usize * 256;
                    let entry = loop {
                        let Some(&byte) = bytes.next() else {
                            (self.pos, self.state) = (self.text.len(), (at / 256) as u32);
                            return None;
                        };
                        let entry = arrays.rows[at + usize::from(byte)];
                        if entry & LEAVES != 0 {
                            break entry;
                        }
                        at = entry as usize;
                    };
                    state = entry & !LEAVES;
                } else {
                    let Some(&byte) = bytes.next() else {
                        (self.pos, self.state) = (self.text.len(), state);
                        return None;
                    };
                    state = arrays.next(state, byte);
                }
                let report = states[state as usize].report;
                if report != NONE {
                    break report;
                }
            };
            (self.pos, self.state, self.reporting) = (self.text.len() - bytes.len(), state, report);
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
