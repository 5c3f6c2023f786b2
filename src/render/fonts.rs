//! The fonts every document can use: Typst's own, ksp's built-in ones (Inter for the text and
//! fallbacks for emoji and the scripts people write in, compiled into the binary) and any
//! others a template folder brings. Typst falls back to whichever font has a glyph, so
//! together they decide what a report can show.

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use super::builtin;
use crate::glyphs::Coverage;

/// Fonts loaded once per process and shared by every document.
pub struct Fonts {
    pub(super) fonts: Vec<Font>,
    pub(super) book: LazyHash<FontBook>,
}

/// Whether a file name is a font Typst can load.
pub fn is_font_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".ttf", ".otf", ".ttc", ".otc"]
        .iter()
        .any(|e| lower.ends_with(e))
}

fn builtin_fonts() -> impl Iterator<Item = &'static [u8]> {
    builtin::FILES
        .iter()
        .filter(|(path, _)| path.starts_with("fonts/") && is_font_file(path))
        .map(|(_, bytes)| *bytes)
}

impl Fonts {
    /// Typst's fonts, the built-in ones, and `extra` (a template folder's), skipping any that
    /// are byte for byte a built-in font.
    pub fn load(extra: &[&[u8]]) -> Fonts {
        let own = extra
            .iter()
            .copied()
            .filter(|bytes| !builtin_fonts().any(|b| b == *bytes));
        let fonts: Vec<Font> = typst_assets::fonts()
            .chain(builtin_fonts())
            .map(Bytes::new)
            .chain(own.map(|b| Bytes::new(b.to_vec())))
            .flat_map(Font::iter)
            .collect();
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(fonts.iter())),
            fonts,
        }
    }

    /// Every code point some font has a glyph for.
    pub fn coverage(&self) -> Coverage {
        Coverage::new(self.fonts.iter().flat_map(|f| f.info().coverage.iter()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_fonts_cover_the_scripts_people_write_in() {
        let coverage = Fonts::load(&[]).coverage();
        let texts = [
            "😊👍🏽🇳🇴👨‍👩‍👧❤️",
            "áčđŋšŧž ʹǥǧǩǯʒ ÆØÅ",
            "Καλημέρα Здравствуйте",
            "مرحبا ٹڈڑںہے שלום",
            "客户服务 カスタマー 고객 서비스",
            "✓ → ½ ™ ≥ ≤ € 𝐀 𝔄 ℝ",
            "ሰላም สวัสดี नमस्ते வணக்கம்",
            "\u{FFFD}",
        ];
        for text in texts {
            for c in text.chars() {
                assert!(coverage.shows(c), "U+{:04X} in {text}", c as u32);
            }
        }
        assert!(!coverage.shows('\u{10FFFD}'), "plane 16 private use");
    }

    #[test]
    fn a_folder_copy_of_a_built_in_font_is_not_loaded_twice() {
        let inter = builtin_fonts().next().unwrap();
        assert_eq!(
            Fonts::load(&[inter]).fonts.len(),
            Fonts::load(&[]).fonts.len()
        );
    }
}
