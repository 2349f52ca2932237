//! Which text of an HTML body a reader cannot see: inside elements that CSS hides (`display:none`,
//! `visibility:hidden`, `opacity:0`, `font-size:0`, a box of a pixel or less that clips its content,
//! text in the colour of its own background), whether by an inline `style` or by a style-sheet rule
//! on a tag name or a class. Rules inside `@media` blocks are left out: they apply only on some
//! screens (a newsletter's mobile-only column is hidden on desktops, not from the reader).
//!
//! The scanner reports each start and end tag; the open elements are kept on a stack of bounded depth,
//! each with what it inherits, so every step costs a constant amount of work.

use std::borrow::Cow;

/// Deepest element stack kept: past it, elements are not tracked (hostile nesting stays bounded).
const MAX_DEPTH: usize = 256;
/// Most tag names and classes taken from style sheets.
const MAX_RULES: usize = 64;
/// Elements opened before a style sheet that are compared with its rules, and the longest class
/// attribute compared; past either, any rule a later sheet adds may apply (see [`Opened`]).
const MAX_OPENED: usize = 32;
const MAX_OPENED_CLASSES: usize = 256;
/// Longest style attribute or style sheet read.
const MAX_STYLE_BYTES: usize = 64 * 1024;
/// Longest CSS property read (`background-color`); longer ones are no concern here.
const LONGEST_PROPERTY: usize = 16;

/// Elements that have no content and no end tag: they never go on the stack. `name` in any case.
fn is_void(name: &str) -> bool {
    // Lower-cased without allocating; no void name is longer than six letters.
    let mut lower = [0; 6];
    matches!(
        super::ascii_lowercase_in(name.as_bytes(), &mut lower).unwrap_or_default(),
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"keygen"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"frame"
    )
}

/// What a CSS declaration block says about visibility.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Style {
    /// `display:none`, `opacity:0`, a clipped box of a pixel or less, colour = background: nothing
    /// inside can be shown again.
    gone: bool,
    /// `visibility` set: `Some(true)` when hidden (a descendant may set it visible again).
    invisible: Option<bool>,
    /// `font-size` set: `Some(true)` when zero (a descendant may set a size again).
    zero_font: Option<bool>,
    /// A vertical gap or offset dozens of screens tall (`margin-top: 470500px`, `height: 10000vh`),
    /// as written: what follows it is out of any reader's sight.
    far_offset: Option<String>,
}

fn is_zero_length(value: &str) -> bool {
    let number = value.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
    !number.is_empty() && number.bytes().all(|b| b == b'0' || b == b'.')
}

fn at_most_one_pixel(value: &str) -> bool {
    is_zero_length(value) || value == "1px"
}

/// Smallest vertical length, in pixels or in screen heights (`vh`, a hundredth of the screen each),
/// that puts what follows out of any reader's sight: about twenty screens. The tallest real
/// newsletter is a few thousand pixels.
const FAR_PIXELS: u64 = 20_000;
const FAR_VIEWPORT_HUNDREDTHS: u64 = 2_000;

/// Whether a length (lower-case, no spaces) is a gap dozens of screens tall, either way.
fn is_far_offset(value: &str) -> bool {
    let value = value.strip_prefix('-').unwrap_or(value);
    let (number, limit) = match (value.strip_suffix("px"), value.strip_suffix("vh")) {
        (Some(number), _) => (number, FAR_PIXELS),
        (None, Some(number)) => (number, FAR_VIEWPORT_HUNDREDTHS),
        _ => return false,
    };
    let whole = number.split('.').next().unwrap_or_default();
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    // Nine significant digits are past any limit; longer runs are not parsed (they would overflow).
    let significant = whole.trim_start_matches('0');
    significant.len() > 8 || significant.parse::<u64>().is_ok_and(|n| n >= limit)
}

impl Style {
    /// Reads `prop: value; …` (lower-cased, spaces and `!important` ignored).
    fn parse(declarations: &str) -> Style {
        let mut style = Style::default();
        let (mut tiny_box, mut clipped) = (false, false);
        let (mut color, mut background) = (None, None);
        let declarations = &declarations[..declarations.floor_char_boundary(MAX_STYLE_BYTES)];
        // `;` and `:` are ASCII: found as bytes, they fall on character boundaries (a short
        // declaration is read faster so than through a `str` pattern).
        let mut rest = declarations;
        while !rest.is_empty() {
            let end = rest.bytes().position(|b| b == b';').unwrap_or(rest.len());
            let declaration = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or_default();
            let Some(colon) = declaration.bytes().position(|b| b == b':') else { continue };
            let (property, value) = (&declaration[..colon], &declaration[colon + 1..]);
            let mut lower = [0; LONGEST_PROPERTY];
            let property = super::ascii_lowercase_in(property.trim().as_bytes(), &mut lower).unwrap_or_default();
            // Worked out only for the properties read below: most (fonts, margins) are not.
            let value = || css_value(value);
            match property {
                b"display" => style.gone |= value() == "none",
                b"opacity" => style.gone |= is_zero_length(&value()),
                b"visibility" => style.invisible = Some(matches!(&*value(), "hidden" | "collapse")),
                b"font-size" => style.zero_font = Some(is_zero_length(&value())),
                b"width" | b"max-width" | b"max-height" => tiny_box |= at_most_one_pixel(&value()),
                b"height" => {
                    let value = value();
                    tiny_box |= at_most_one_pixel(&value);
                    far_offset(&mut style, "height", &value);
                }
                b"margin-top" | b"padding-top" | b"top" | b"min-height" | b"margin-bottom" | b"padding-bottom" => {
                    far_offset(&mut style, std::str::from_utf8(property).unwrap_or_default(), &value());
                }
                b"overflow" => clipped |= value() == "hidden",
                b"color" => color = Some(value()),
                b"background" | b"background-color" => background = Some(value()),
                _ => {}
            }
        }
        let opaque = |c: &str| !matches!(c, "" | "transparent" | "inherit" | "initial" | "currentcolor" | "none");
        style.gone |= tiny_box && clipped;
        style.gone |= color.is_some_and(|c| opaque(&c) && background.as_deref() == Some(&*c));
        style
    }

    fn hides_anything(&self) -> bool {
        self.gone || self.invisible == Some(true) || self.zero_font == Some(true)
    }

    /// This style applied on top of another (a rule, then the inline style).
    fn then(mut self, over: &Style) -> Style {
        self.gone |= over.gone;
        self.invisible = over.invisible.or(self.invisible);
        self.zero_font = over.zero_font.or(self.zero_font);
        self
    }
}

/// Keeps the first far vertical offset of a declaration block (see [`is_far_offset`]).
fn far_offset(style: &mut Style, property: &str, value: &str) {
    if style.far_offset.is_none() && is_far_offset(value) {
        style.far_offset = Some(format!("{property}: {value}"));
    }
}

/// A CSS value lower-cased, without `!important` (in any case), then without spaces and quotes; in
/// one pass and one allocation, or none for a value with nothing to take out or lower (most).
fn css_value(value: &str) -> Cow<'_, str> {
    let trimmed = value.trim();
    let plain = |b: u8| b.is_ascii_graphic() && !b.is_ascii_uppercase() && !matches!(b, b'"' | b'\'' | b'!');
    if trimmed.bytes().all(plain) {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    loop {
        let important = super::find_ignore_case(rest, "!important");
        let (kept, after) = match important {
            Some(at) => (&rest[..at], &rest[at + "!important".len()..]),
            None => (rest, ""),
        };
        let shown = kept.chars().filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'');
        out.extend(shown.map(|c| c.to_ascii_lowercase()));
        if important.is_none() {
            return Cow::Owned(out);
        }
        rest = after;
    }
}

/// Style-sheet rules that hide whole elements, by tag name or class.
#[derive(Debug, Default, PartialEq)]
pub struct HidingRules {
    tags: Vec<(String, Style)>,
    classes: Vec<(String, Style)>,
    /// The first far vertical offset a style sheet declares (see [`is_far_offset`]).
    pub far_offset: Option<String>,
}

impl HidingRules {
    /// Reads one style sheet: rules of simple selectors (`q`, `.preheader`, `span.x` counts as `.x`)
    /// whose declarations hide. `@media` and other at-rule blocks are skipped whole; comments dropped.
    pub fn add_sheet(&mut self, css: &str) {
        let css = &css[..css.floor_char_boundary(MAX_STYLE_BYTES)];
        let mut rest = css;
        while let Some(open) = rest.find('{') {
            let selectors = &rest[..open];
            let after = &rest[open + 1..];
            let selectors = selectors.rsplit("*/").next().unwrap_or(selectors).trim();
            if selectors.starts_with('@') {
                // An at-rule block: skip to its matching brace.
                let mut depth = 1usize;
                let mut end = after.len();
                for (i, b) in after.bytes().enumerate() {
                    match b {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &after[end..];
                continue;
            }
            let close = after.find('}').unwrap_or(after.len());
            let style = Style::parse(&after[..close]);
            rest = after.get(close + 1..).unwrap_or_default();
            if self.far_offset.is_none() {
                self.far_offset = style.far_offset.clone();
            }
            if !style.hides_anything() {
                continue;
            }
            for selector in selectors.split(',').map(str::trim) {
                let simple =
                    |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                let (tag, class) = selector.split_once('.').map_or((selector, None), |(t, c)| (t, Some(c)));
                let list = match class {
                    Some(c) if simple(c) && (tag.is_empty() || simple(tag)) => (&mut self.classes, c),
                    None if simple(tag) => (&mut self.tags, tag),
                    _ => continue,
                };
                if list.0.len() < MAX_RULES {
                    list.0.push((list.1.to_ascii_lowercase(), style.clone()));
                }
            }
        }
    }

    /// [`HidingRules::add_sheet`], for a sheet read after the elements `opened`: whether one of the
    /// rules it adds applies to one of them, which were judged without it.
    pub fn add_sheet_after(&mut self, css: &str, opened: &Opened) -> bool {
        let (tags, classes) = (self.tags.len(), self.classes.len());
        self.add_sheet(css);
        let new_tags = self.tags.get(tags..).unwrap_or_default();
        let new_classes = self.classes.get(classes..).unwrap_or_default();
        if new_tags.is_empty() && new_classes.is_empty() {
            return false;
        }
        opened.too_many
            || opened.elements.iter().any(|(tag, class)| {
                new_tags.iter().any(|(t, _)| t.eq_ignore_ascii_case(tag))
                    || class
                        .split_ascii_whitespace()
                        .any(|c| new_classes.iter().any(|(n, _)| n.eq_ignore_ascii_case(c)))
            })
    }

    fn style_of(&self, tag: &str, classes: &str) -> Style {
        let mut style = Style::default();
        if self.tags.is_empty() && self.classes.is_empty() {
            // Most mail has no style sheet that hides anything.
            return style;
        }
        for (_, s) in self.tags.iter().filter(|(t, _)| t.eq_ignore_ascii_case(tag)) {
            style = style.then(s);
        }
        for class in classes.split_ascii_whitespace() {
            for (_, s) in self.classes.iter().filter(|(c, _)| c.eq_ignore_ascii_case(class)) {
                style = style.then(s);
            }
        }
        style
    }
}

/// The elements of a body opened so far (tag name and class attribute), for [`HidingRules::add_sheet_after`]:
/// a style sheet applies to the elements before it too. Mail puts its sheets in the head, before
/// the elements, so a few are kept; past them any new rule counts as applying to one.
#[derive(Default)]
pub struct Opened<'h> {
    elements: Vec<(&'h str, &'h str)>,
    too_many: bool,
}

impl<'h> Opened<'h> {
    pub fn push(&mut self, tag: &'h str, class: Option<&'h str>) {
        let class = class.unwrap_or_default();
        if self.elements.len() < MAX_OPENED && class.len() <= MAX_OPENED_CLASSES {
            self.elements.push((tag, class));
        } else {
            self.too_many = true;
        }
    }
}

/// One open element and the visibility it passes on to its content.
struct Frame<'h> {
    /// As the HTML writes it: tag names are ASCII, compared in any case.
    name: &'h str,
    gone: bool,
    invisible: bool,
    zero_font: bool,
}

/// Inline styles remembered with what they say (see [`Visibility::inline_style`]).
const RECENT_STYLES: usize = 8;

/// The open elements of an HTML body, with what they hide.
#[derive(Default)]
pub struct Visibility<'h> {
    stack: Vec<Frame<'h>>,
    /// Elements past `MAX_DEPTH` that were not pushed, so their end tags are not matched wrongly.
    untracked: usize,
    /// The last few distinct inline styles read, and the next slot to reuse.
    recent_styles: Vec<(&'h str, Style)>,
    next_slot: usize,
    /// The first far vertical offset an inline style declares (see [`is_far_offset`]).
    pub far_offset: Option<String>,
}

impl<'h> Visibility<'h> {
    /// Whether text at this point is hidden from the reader.
    pub fn hidden(&self) -> bool {
        self.stack.last().is_some_and(|f| f.gone || f.invisible || f.zero_font)
    }

    /// A start tag: `name` in any case, `style` and `class` its attributes.
    pub fn open(
        &mut self,
        rules: &HidingRules,
        name: &'h str,
        style: Option<&'h str>,
        class: Option<&str>,
        self_closing: bool,
    ) {
        if self_closing || is_void(name) {
            return;
        }
        if self.stack.len() >= MAX_DEPTH {
            self.untracked += 1;
            return;
        }
        let inline = style.map(|declarations| self.inline_style(declarations)).unwrap_or_default();
        if self.far_offset.is_none() {
            self.far_offset = inline.far_offset.clone();
        }
        let own = rules.style_of(name, class.unwrap_or_default()).then(&inline);
        let parent = self.stack.last();
        self.stack.push(Frame {
            name,
            gone: own.gone || parent.is_some_and(|p| p.gone),
            invisible: own.invisible.unwrap_or(parent.is_some_and(|p| p.invisible)),
            zero_font: own.zero_font.unwrap_or(parent.is_some_and(|p| p.zero_font)),
        });
    }

    /// What an inline style says. Mail written by tools repeats the same few styles on element after
    /// element (every cell of a newsletter's table): a style seen lately is compared, not read again.
    fn inline_style(&mut self, declarations: &'h str) -> Style {
        if let Some((_, style)) = self.recent_styles.iter().find(|(seen, _)| *seen == declarations) {
            return style.clone();
        }
        let style = Style::parse(declarations);
        let entry = (declarations, style.clone());
        match self.recent_styles.get_mut(self.next_slot) {
            Some(slot) => *slot = entry,
            None => self.recent_styles.push(entry),
        }
        self.next_slot = (self.next_slot + 1) % RECENT_STYLES;
        style
    }

    /// An end tag closes the nearest open element of its name (and those left open inside it).
    pub fn close(&mut self, name: &str) {
        if self.untracked > 0 {
            self.untracked -= 1;
            return;
        }
        if let Some(at) = self.stack.iter().rposition(|f| f.name.eq_ignore_ascii_case(name)) {
            self.stack.truncate(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_dozens_of_screens_tall_are_far_offsets_and_layout_sizes_are_not() {
        for far in ["470500px", "-470500px", "20000px", "10000vh", "2000.5vh", "123456789012345678901234px"] {
            assert!(is_far_offset(far), "{far}");
        }
        for near in [
            "19999px",
            "100vh",
            "1999vh",
            "3000px",
            "auto",
            "100%",
            "px",
            "-px",
            "1e9px",
            "20000em",
            "9.9e9px",
            "0000000000001px",
        ] {
            assert!(!is_far_offset(near), "{near}");
        }
        assert_eq!(Style::parse("margin-top: 470500px; /* x */").far_offset.as_deref(), Some("margin-top: 470500px"));
        assert_eq!(Style::parse("HEIGHT:10000VH !important").far_offset.as_deref(), Some("height: 10000vh"));
        assert_eq!(Style::parse("height:1200px;margin-top:40px;min-height:100vh").far_offset, None);
        let mut rules = HidingRules::default();
        rules.add_sheet(".wrapper { height: 100% } .belowView { margin-top: 470500px; }");
        assert_eq!(rules.far_offset.as_deref(), Some("margin-top: 470500px"));
        assert_eq!(rules, HidingRules { far_offset: Some("margin-top: 470500px".into()), ..HidingRules::default() });
        let mut inline = Visibility::default();
        inline.open(&HidingRules::default(), "div", Some("padding-top:25000px"), None, false);
        assert_eq!(inline.far_offset.as_deref(), Some("padding-top: 25000px"));
    }

    #[test]
    fn declarations_that_hide() {
        assert!(Style::parse("display: none !important").gone);
        assert!(Style::parse("opacity:0.0").gone);
        assert!(Style::parse("max-height:0px; overflow:hidden").gone);
        assert!(!Style::parse("max-height:0px").gone, "not clipped");
        assert!(Style::parse("color:#FFF;background-color:#fff").gone);
        assert!(!Style::parse("color:rgb(0,0,0);background-color:transparent").gone);
        assert_eq!(Style::parse("font-size:0px").zero_font, Some(true));
        assert_eq!(Style::parse("font-size:13px").zero_font, Some(false));
        assert_eq!(Style::parse("visibility:hidden").invisible, Some(true));
        assert!(!Style::parse("width:100%;height:auto;display:block").hides_anything());
    }

    #[test]
    fn css_values_are_read_as_lower_case_without_important_spaces_and_quotes() {
        let as_before = |value: &str| -> String {
            let lowered = value.to_ascii_lowercase().replace("!important", "");
            lowered.chars().filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'').collect()
        };
        for value in [
            " None !IMPORTANT",
            "'Arial' , sans",
            "!imp'ortant x",
            "! important",
            "!!importantimportant",
            "",
            " #ff0000 ",
            "0px\u{A0}",
            "\u{3000}none",
        ] {
            assert_eq!(css_value(value), as_before(value), "{value:?}");
        }
    }

    #[test]
    fn descendants_may_show_text_again_unless_it_is_gone() {
        let rules = HidingRules::default();
        let mut v = Visibility::default();
        v.open(&rules, "td", Some("font-size:0"), None, false);
        assert!(v.hidden());
        v.open(&rules, "span", Some("font-size:14px"), None, false);
        assert!(!v.hidden(), "the inline-block gap trick: children set their size");
        v.close("span");
        v.open(&rules, "div", Some("display:none"), None, false);
        v.open(&rules, "p", Some("font-size:14px;visibility:visible"), None, false);
        assert!(v.hidden());
        v.close("div");
        assert!(v.hidden(), "back in the zero-size cell");
        v.close("td");
        assert!(!v.hidden());
        v.close("td");
        v.open(&rules, "br", Some("display:none"), None, false);
        assert!(!v.hidden(), "void elements hold nothing");
    }

    #[test]
    fn style_sheet_rules_by_tag_and_class_but_not_in_media_queries() {
        let mut rules = HidingRules::default();
        rules.add_sheet(
            "h4{color:blue} q{display:none} /* x */ .pre, span.tiny {font-size:0}\n\
             @media screen and (max-width:600px) { .desktop { display:none } .m { width:0 } }\n\
             .after { visibility: hidden }",
        );
        let hidden = |tag: &str, class: Option<&str>| {
            let mut v = Visibility::default();
            v.open(&rules, tag, None, class, false);
            v.hidden()
        };
        assert!(hidden("q", None));
        assert!(hidden("div", Some("x PRE")));
        assert!(hidden("span", Some("tiny")));
        assert!(hidden("p", Some("after")));
        assert!(!hidden("div", Some("desktop")));
        assert!(!hidden("h4", None));
    }

    #[test]
    fn remembered_inline_styles_say_what_they_said_when_read() {
        let rules = HidingRules::default();
        // More distinct styles than are remembered, in an order that reuses and evicts them.
        let styles: Vec<String> = (0..RECENT_STYLES + 3)
            .map(|i| if i % 3 == 0 { format!("display:none;margin:{i}px") } else { format!("margin:{i}px") })
            .collect();
        let mut v = Visibility::default();
        for round in 0..4 {
            for (i, style) in styles.iter().enumerate().filter(|(i, _)| (i + round) % 2 == 0) {
                v.open(&rules, "div", Some(style), None, false);
                assert_eq!(v.hidden(), Style::parse(style).hides_anything(), "{style}");
                v.close("div");
                assert_eq!(v.inline_style(style), Style::parse(style), "round {round}, style {i}");
            }
        }
        assert!(v.recent_styles.len() <= RECENT_STYLES);
    }

    #[test]
    fn hostile_nesting_and_sheets_stay_bounded() {
        let rules = HidingRules::default();
        let mut v = Visibility::default();
        for _ in 0..100_000 {
            v.open(&rules, "div", Some("display:none"), None, false);
        }
        assert!(v.stack.len() <= MAX_DEPTH);
        for _ in 0..100_000 {
            v.close("div");
        }
        assert!(!v.hidden());
        let mut many = HidingRules::default();
        many.add_sheet(&".a{display:none}".repeat(10_000));
        many.add_sheet(&"@media{{{{".repeat(10_000));
        many.add_sheet("}}}{{{");
        assert!(many.classes.len() <= MAX_RULES);
        let (mut opened, classes) = (Opened::default(), "a ".repeat(100));
        for _ in 0..100_000 {
            opened.push("div", Some(&classes));
        }
        assert!(opened.elements.len() <= MAX_OPENED && opened.too_many);
    }

    #[test]
    fn a_sheet_restyles_the_elements_before_it_that_its_new_rules_name() {
        let mut opened = Opened::default();
        opened.push("html", None);
        opened.push("P", Some("intro Note"));
        let mut rules = HidingRules::default();
        assert!(!rules.add_sheet_after(".x{display:none} span{opacity:0} b{color:red}", &opened), "none of them");
        assert!(rules.add_sheet_after(".note{font-size:0}", &opened), "a class, in any case");
        assert!(rules.add_sheet_after("p{visibility:hidden}", &opened), "a tag name, in any case");
        let mut crowded = Opened::default();
        (0..=MAX_OPENED).for_each(|_| crowded.push("td", None));
        assert!(rules.add_sheet_after(".y{display:none}", &crowded), "past the elements kept, any new rule counts");
        assert!(!rules.add_sheet_after("p{color:red}", &crowded), "a sheet that hides nothing restyles nothing");
    }
}
