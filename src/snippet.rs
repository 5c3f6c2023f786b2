//! Errors that show their place: the offending line of a file with a caret under the part
//! at fault (the style of rustc and typst-cli), and `did you mean` suggestions for a
//! misspelt name.

use std::fmt;
use std::ops::Range;

use unicode_width::UnicodeWidthChar;

/// A line shown longer than this is cut around the mark, so a 5,000-character comment does
/// not bury the caret.
const WIDEST_LINE: usize = 100;

/// One line of a file with a part of it marked.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Snippet {
    /// 1-based line number.
    pub line: usize,
    /// The line's text without its line end.
    pub text: String,
    /// The marked part: byte offsets in `text`, `from..to`.
    pub from: usize,
    pub to: usize,
}

impl Snippet {
    /// The line holding byte `span.start` of `source`, marked over `span` up to the line's
    /// end (at least one character).
    pub fn of_span(source: &str, span: Range<usize>) -> Option<Snippet> {
        let start = span.start.min(source.len());
        if !source.is_char_boundary(start) {
            return None;
        }
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let text = source[line_start..line_end].trim_end_matches('\r');
        let from = (start - line_start).min(text.len());
        let mut to = span.end.saturating_sub(line_start).clamp(from, text.len());
        while !text.is_char_boundary(to) {
            to -= 1;
        }
        Some(Snippet {
            line: source[..line_start].matches('\n').count() + 1,
            text: text.to_string(),
            from,
            to: widen(text, from, to),
        })
    }
}

/// A mark of at least one character, where the line has one.
fn widen(text: &str, from: usize, to: usize) -> usize {
    if to > from {
        return to;
    }
    text[from..]
        .chars()
        .next()
        .map_or(from, |c| from + c.len_utf8())
}

impl fmt::Display for Snippet {
    /// ```text
    ///    |
    /// 16 | min_inquiry = 5
    ///    | ^^^^^^^^^^^
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (shown, before, carets) = visible(&self.text, self.from..self.to);
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        writeln!(f, "{gutter} |")?;
        writeln!(f, "{number} | {shown}")?;
        write!(f, "{gutter} | {}{}", " ".repeat(before), "^".repeat(carets))
    }
}

/// The lines an error shows under its message: the snippet, then the help, lined up with
/// the snippet's gutter (`  = help: …`) or on its own (`help: …`).
pub fn write_notes(
    f: &mut fmt::Formatter<'_>,
    snippet: Option<&Snippet>,
    help: Option<&str>,
) -> fmt::Result {
    if let Some(snippet) = snippet {
        write!(f, "\n{snippet}")?;
    }
    match (snippet, help) {
        (Some(s), Some(help)) => {
            let gutter = " ".repeat(s.line.to_string().len());
            write!(f, "\n{gutter} = help: {help}")
        }
        (None, Some(help)) => write!(f, "\nhelp: {help}"),
        (_, None) => Ok(()),
    }
}

/// The line as it can be printed (tabs and control characters as spaces, a long line cut
/// to a window around the mark), the columns before the mark and the mark's width.
fn visible(text: &str, mark: Range<usize>) -> (String, usize, usize) {
    let chars: Vec<char> = text.chars().collect();
    let index = |byte: usize| text[..byte.min(text.len())].chars().count();
    let (from, to) = (index(mark.start), index(mark.end));
    let start = from.saturating_sub(WIDEST_LINE / 3);
    let end = chars.len().min(start + WIDEST_LINE);
    let printable = |c: &char| {
        if *c == '\t' || c.is_control() {
            ' '
        } else {
            *c
        }
    };
    let part = |r: Range<usize>| -> String { chars[r].iter().map(printable).collect() };
    let lead = if start > 0 { "…" } else { "" };
    let tail = if end < chars.len() { "…" } else { "" };
    let before = format!("{lead}{}", part(start..from.min(end)));
    let marked = part(from.min(end)..to.clamp(from.min(end), end));
    let shown = format!(
        "{before}{marked}{}{tail}",
        part(to.clamp(from.min(end), end)..end)
    );
    (shown, width(&before), width(&marked).max(1))
}

/// Terminal columns a text takes (CJK and emoji take two).
fn width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// The candidate closest to a misspelt `word` (case ignored), if one is close enough to be
/// what was meant: at most a third of the word's letters wrong (a swap of two counts once), and never all of a short
/// word.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_lowercase();
    let allowed = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(&word, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= allowed && *d < c.chars().count() && *d < word.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `did you mean `x`?` for the names a serde or toml message lists after `expected`
/// (`unknown field `min_inquiry`, expected one of `min_inquiries`, `max_problems``).
pub fn suggestion_for_message(message: &str) -> Option<String> {
    let (head, expected) = message.split_once("expected")?;
    let word = ticked(head).into_iter().next()?;
    let candidates = ticked(expected);
    did_you_mean(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The `backticked` words of a text.
fn ticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_marks_the_span_on_its_line() {
        let source = "[award]\nmin_inquiry = 5\n";
        let s = Snippet::of_span(source, 8..19).unwrap();
        assert_eq!(s.line, 2);
        assert_eq!(s.to_string(), "  |\n2 | min_inquiry = 5\n  | ^^^^^^^^^^^");
    }

    #[test]
    fn a_mark_past_the_line_end_still_shows_one_caret() {
        let s = Snippet::of_span("a = \n", 4..4).unwrap();
        assert_eq!(s.to_string(), "  |\n1 | a = \n  |     ^");
        let s = Snippet::of_span("x = [1,\n2]", 4..10).unwrap();
        assert_eq!(s.text, "x = [1,");
        assert_eq!(s.to_string(), "  |\n1 | x = [1,\n  |     ^^^");
    }

    #[test]
    fn spans_inside_a_line_end_or_a_character_are_kept_on_the_line() {
        let s = Snippet::of_span("a = 1\r\nb", 5..6).unwrap();
        assert_eq!(s.to_string(), "  |\n1 | a = 1\n  |      ^");
        let s = Snippet::of_span("x = \"æ\"", 4..6).unwrap();
        assert_eq!((s.from, s.to), (4, 5));
    }

    #[test]
    fn wide_characters_and_tabs_keep_the_caret_under_the_mark() {
        let source = "名前\tfax,1";
        let start = source.find("fax").unwrap();
        let s = Snippet::of_span(source, start..start + 3).unwrap();
        assert_eq!(s.to_string(), "  |\n1 | 名前 fax,1\n  |      ^^^");
    }

    #[test]
    fn long_lines_are_cut_around_the_mark() {
        let source = format!("{},fax,{}", "x".repeat(500), "y".repeat(500));
        let s = Snippet::of_span(&source, 501..504).unwrap().to_string();
        let lines: Vec<&str> = s.lines().collect();
        assert!(lines[1].chars().count() < WIDEST_LINE + 10, "{s}");
        let caret = lines[2].chars().position(|c| c == '^').unwrap();
        let marked: String = lines[1].chars().skip(caret).take(3).collect();
        assert_eq!(marked, "fax", "{s}");
    }

    #[test]
    fn suggestions_are_close_names_only() {
        let fields = ["min_inquiries", "max_problems", "on_bad_row"];
        assert_eq!(did_you_mean("min_inqiries", fields), Some("min_inquiries"));
        assert_eq!(did_you_mean("MIN_INQUIRY", fields), Some("min_inquiries"));
        assert_eq!(did_you_mean("weight", fields), None);
        assert_eq!(did_you_mean("ax", ["fax"]), Some("fax"));
        assert_eq!(did_you_mean("q", ["a"]), None, "never all of a short word");
        assert_eq!(did_you_mean("emial", ["phone", "email"]), Some("email"));
        assert_eq!(
            suggestion_for_message(
                "unknown field `min_inquiry`, expected one of `min_inquiries`, `period`"
            ),
            Some("did you mean `min_inquiries`?".into())
        );
        assert_eq!(
            suggestion_for_message("invalid type: string \"high\", expected f64"),
            None
        );
    }
}
