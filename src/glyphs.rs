//! What the report fonts can show, and text made showable: characters no font has become a
//! visible placeholder, control characters are removed. PDF/UA-1 export fails on a glyph no
//! font has, so every text that reaches a template passes through here first.

use std::borrow::Cow;
use std::collections::HashSet;

/// Shown in place of a character no font has.
pub const PLACEHOLDER: char = '\u{FFFD}';

/// The code points the loaded fonts cover.
#[derive(Clone)]
pub struct Coverage {
    /// One bit per code point of the Basic Multilingual Plane.
    bmp: Vec<u64>,
    astral: HashSet<u32>,
    /// Every code point (nothing is rendered).
    all: bool,
}

/// What was done to one character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fix {
    /// A control character (C0 or C1, but tab and line ends), removed.
    Removed(char),
    /// A character no font has, shown as [`PLACEHOLDER`].
    Replaced(char),
}

impl Fix {
    pub fn char(self) -> char {
        match self {
            Fix::Removed(c) | Fix::Replaced(c) => c,
        }
    }

    /// `U+0007 (a control character) removed`, `U+E000 shown as �`.
    pub fn describe(self) -> String {
        match self {
            Fix::Removed(c) => format!("U+{:04X} (a control character) removed", c as u32),
            Fix::Replaced(c) => {
                format!("U+{:04X} shown as {PLACEHOLDER} (no font has it)", c as u32)
            }
        }
    }
}

impl Coverage {
    /// The union of the given code points.
    pub fn new(code_points: impl IntoIterator<Item = u32>) -> Coverage {
        let mut coverage = Coverage {
            bmp: vec![0; 0x10000 / 64],
            astral: HashSet::new(),
            all: false,
        };
        for c in code_points {
            if c < 0x10000 {
                coverage.bmp[c as usize / 64] |= 1 << (c % 64);
            } else {
                coverage.astral.insert(c);
            }
        }
        coverage
    }

    /// Every code point, for callers that render nothing.
    pub fn everything() -> Coverage {
        Coverage {
            bmp: Vec::new(),
            astral: HashSet::new(),
            all: true,
        }
    }

    fn has(&self, c: char) -> bool {
        let c = c as u32;
        if self.all {
            true
        } else if c < 0x10000 {
            self.bmp[c as usize / 64] & (1 << (c % 64)) != 0
        } else {
            self.astral.contains(&c)
        }
    }

    /// Whether `c` renders: a font has it, or it is whitespace or default-ignorable
    /// (joiners, variation selectors, bidi marks), which shaping hides. Noncharacters never do.
    pub fn shows(&self, c: char) -> bool {
        if is_noncharacter(c) {
            return false;
        }
        c.is_ascii_graphic()
            || c == ' '
            || self.has(c)
            || c.is_whitespace()
            || typst::text::is_default_ignorable(c)
    }

    /// `text` with line ends as `\n`, control characters removed and characters no font has
    /// replaced by [`PLACEHOLDER`]; each change is appended to `fixes` with its position in
    /// characters (0-based, counted in the original text).
    pub fn clean<'a>(&self, text: &'a str, fixes: &mut Vec<(usize, Fix)>) -> Cow<'a, str> {
        // Printable ASCII always shows (see `shows`): most texts are checked a byte at a time.
        let plain_ascii = |b: &u8| matches!(b, b' '..=b'~' | b'\n' | b'\t');
        if text.as_bytes().iter().all(plain_ascii)
            || text
                .chars()
                .all(|c| c == '\n' || c == '\t' || (!is_control(c) && self.shows(c)))
        {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().enumerate().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '\r' => {
                    // CRLF and a lone CR are line ends, not control characters.
                    if chars.peek().is_some_and(|(_, next)| *next == '\n') {
                        chars.next();
                    }
                    out.push('\n');
                }
                '\n' | '\t' => out.push(c),
                c if is_control(c) => fixes.push((at, Fix::Removed(c))),
                c if self.shows(c) => out.push(c),
                c => {
                    fixes.push((at, Fix::Replaced(c)));
                    out.push(self.placeholder());
                }
            }
        }
        Cow::Owned(out)
    }

    fn placeholder(&self) -> char {
        if self.has(PLACEHOLDER) {
            PLACEHOLDER
        } else {
            '?'
        }
    }
}

impl Coverage {
    /// JSON text with every string made showable (see [`Coverage::clean`]), everything else
    /// byte for byte as it was: the last line of defence for texts from the config and other
    /// files, which reach the templates as they are.
    pub fn clean_json<'a>(&self, json: &'a str, fixes: &mut Vec<Fix>) -> Cow<'a, str> {
        // serde_json writes control characters as these escapes; other characters as they are.
        let escapes = ["\\u", "\\b", "\\f", "\\r"]
            .iter()
            .any(|e| json.contains(e));
        if !escapes
            && json
                .chars()
                .all(|c| c == '\n' || (!is_control(c) && self.shows(c)))
        {
            return Cow::Borrowed(json);
        }
        let mut out = String::with_capacity(json.len());
        let mut rest = json;
        while let Some(start) = rest.find('"') {
            out.push_str(&rest[..start]);
            let end = string_end(&rest[start..]) + start;
            let literal = &rest[start..end];
            let text: String = serde_json::from_str(literal).unwrap_or_default();
            let mut found = Vec::new();
            match self.clean(&text, &mut found) {
                Cow::Borrowed(_) => out.push_str(literal),
                Cow::Owned(cleaned) => {
                    out.push_str(&serde_json::to_string(&cleaned).expect("a string serializes"))
                }
            }
            fixes.extend(found.into_iter().map(|(_, fix)| fix));
            rest = &rest[end..];
        }
        out.push_str(rest);
        Cow::Owned(out)
    }
}

/// The byte length of the JSON string literal at the start of `text` (quotes included).
fn string_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// C0 and C1 control characters and DEL.
fn is_control(c: char) -> bool {
    c.is_control()
}

/// U+FDD0–U+FDEF and the last two code points of every plane: never characters.
fn is_noncharacter(c: char) -> bool {
    let c = c as u32;
    (0xFDD0..=0xFDEF).contains(&c) || c & 0xFFFE == 0xFFFE
}

/// Whether text reads right to left: its first letter is Hebrew, Arabic or another RTL script.
pub fn is_right_to_left(text: &str) -> bool {
    text.chars().find(|c| c.is_alphabetic()).is_some_and(|c| {
        let c = c as u32;
        (0x0590..=0x08FF).contains(&c)
            || (0xFB1D..=0xFDFF).contains(&c)
            || (0xFE70..=0xFEFF).contains(&c)
            || (0x10800..=0x10FFF).contains(&c)
            || (0x1E800..=0x1EFFF).contains(&c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latin() -> Coverage {
        Coverage::new((0x20..0x7F).chain([0xE6, 0xF8, 0xE5, 0xFFFD]))
    }

    #[test]
    fn showable_text_is_borrowed() {
        let mut fixes = vec![];
        assert!(matches!(
            latin().clean("blåbær\tok\n", &mut fixes),
            Cow::Borrowed(_)
        ));
        assert!(fixes.is_empty());
    }

    #[test]
    fn controls_go_line_ends_stay_and_unknown_characters_are_marked() {
        let mut fixes = vec![];
        let text = "a\u{7}b\r\nc\rd\u{85}e\u{E000}f";
        assert_eq!(latin().clean(text, &mut fixes), "ab\nc\nde\u{FFFD}f");
        assert_eq!(
            fixes,
            [
                (1, Fix::Removed('\u{7}')),
                (8, Fix::Removed('\u{85}')),
                (10, Fix::Replaced('\u{E000}'))
            ]
        );
    }

    #[test]
    fn joiners_and_selectors_need_no_glyph_but_noncharacters_fail() {
        let c = latin();
        assert!(c.shows('\u{200D}') && c.shows('\u{FE0F}') && c.shows('\u{E0041}'));
        assert!(c.shows('\u{A0}'));
        assert!(!c.shows('\u{FFFF}') && !c.shows('\u{FDD0}') && !c.shows('\u{1FFFE}'));
        assert!(!c.shows('😊'));
        assert!(Coverage::everything().shows('😊'));
    }

    #[test]
    fn placeholder_falls_back_to_a_question_mark() {
        let mut fixes = vec![];
        let c = Coverage::new(0x20..0x7F);
        assert_eq!(c.clean("a😊", &mut fixes), "a?");
    }

    #[test]
    fn json_strings_are_cleaned_and_the_rest_kept() {
        let mut fixes = vec![];
        let json = r#"{"a":"x\u0007y","b":["\"q\"","😊"],"n":1.5}"#;
        assert_eq!(
            latin().clean_json(json, &mut fixes),
            "{\"a\":\"xy\",\"b\":[\"\\\"q\\\"\",\"\u{FFFD}\"],\"n\":1.5}"
        );
        assert_eq!(fixes, [Fix::Removed('\u{7}'), Fix::Replaced('😊')]);
        assert!(matches!(
            latin().clean_json(r#"{"a":"ok"}"#, &mut fixes),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn direction_from_the_first_letter() {
        assert!(is_right_to_left("«مرحبا» hello"));
        assert!(is_right_to_left("12 שלום"));
        assert!(!is_right_to_left("Hei مرحبا"));
        assert!(!is_right_to_left("😊"));
    }
}
