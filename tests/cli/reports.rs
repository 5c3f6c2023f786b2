//! The PDFs: every section in both languages, long comments, PDF/UA, the summary laid out in parts, last season, any text people type.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

#[test]
fn every_output_is_written_and_pdfs_carry_the_figures() {
    let (_dir, out) = run_handworked(&[]);
    for id in ["A", "B", "C", "D", "E"] {
        let pdf = std::fs::read(out.join(format!("reports/{id}.pdf"))).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{id}.pdf is a PDF");
    }
    assert!(out.join("award-summary.pdf").is_file());
    assert!(out.join("results/results.json").is_file());
    let Some(text) = pdf_text(&out.join("reports/A.pdf")) else {
        return;
    };
    // Lines wrap wherever the layout puts them: compare with white space folded.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("Ærlige Øl & Åsmund AS"),
        "name with æøå: {text}"
    );
    assert!(text.contains("Bryggeri"), "class");
    assert!(text.contains("47,3"), "total with a decimal comma");
    // The comment is data, printed as written, never evaluated as Typst markup.
    assert!(
        text.contains(
            r#"#read("/etc/passwd") $x$ *fet* _kursiv_ @ref <tag> \ "sitat" #panic("x")"#
        ),
        "{text}"
    );
}

#[test]
fn reports_have_every_section_in_norwegian_and_english() {
    let (_dir, out) = run_handworked(&["--only", "A"]);
    let Some(nb) = flat_pdf_text(&out.join("reports/A.pdf")) else {
        return;
    };
    for section in [
        "Deltakerrapport",
        "Sammendrag",
        "Prestasjonsområder",
        "Oppnådd andel av poengene",
        "Kanaler",
        "Kundeopplevelse",
        "Kommentarer",
        "Vedlegg: alle henvendelser",
        "Vedlegg: metode slik den er konfigurert",
        "Plassering i klassen 3 av 3",
    ] {
        assert!(nb.contains(section), "nb report lacks `{section}`: {nb}");
    }
    // Decimal commas: total 47,3, interval −60,3–154,9, answer rate 66,7 %.
    assert!(
        nb.contains("47,3") && nb.contains("−60,3–154,9") && nb.contains("66,7 %"),
        "{nb}"
    );
    assert!(nb.contains("1. mars 2022"), "dates in Norwegian");

    let summary = flat_pdf_text(&out.join("award-summary.pdf")).unwrap();
    for section in [
        "Årets Kundeservice",
        "Resultater per klasse",
        "Best per kanal",
        "Ikke rangert",
        "Kjøringen",
        "Bølgebryggeriet AS – vinner",
    ] {
        assert!(
            summary.contains(section),
            "award summary lacks `{section}`: {summary}"
        );
    }

    let (_dir, out) = run_handworked(&["--only", "A", "--set", "season.language=en"]);
    let en = flat_pdf_text(&out.join("reports/A.pdf")).unwrap();
    for section in [
        "Participant report",
        "Summary",
        "Performance areas",
        "Channels",
        "Customer experience",
        "Comments",
        "Appendix: every inquiry",
    ] {
        assert!(en.contains(section), "en report lacks `{section}`: {en}");
    }
    assert!(
        en.contains("47.3") && en.contains("66.7 %") && !en.contains("47,3"),
        "decimal points in English: {en}"
    );
    assert!(en.contains("1 March 2022"), "dates in English");
}

#[test]
fn a_long_report_prints_every_comment_across_pages() {
    let (_dir, out) = run_config("testdata/long/ksp.toml", &[]);
    let Some(text) = flat_pdf_text(&out.join("reports/L.pdf")) else {
        return;
    };
    for i in 1..=60 {
        assert!(
            text.contains(&format!("(henvendelse {i} av 60)")),
            "comment {i} is missing"
        );
    }
    let pages = Command::new("pdfinfo")
        .arg(out.join("reports/L.pdf"))
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&pages.stdout);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        pages >= 8,
        "60 inquiries with long comments take several pages, got {pages}"
    );
}

#[test]
fn pdfs_pass_the_pdfua_checker() {
    let (_dir, out) = run_handworked(&["--only", "A,E"]);
    let files = [
        out.join("reports/A.pdf"),
        out.join("reports/E.pdf"),
        out.join("award-summary.pdf"),
    ];
    let o = match Command::new("pdfua").arg("check").args(&files).output() {
        Ok(o) => o,
        Err(_) if std::env::var_os("CI").is_some() => panic!("pdfua is missing: pip install pdfua"),
        Err(_) => return eprintln!("skipping the PDF/UA check: pdfua (PyPI) is not installed"),
    };
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "pdfua found problems:\n{report}");
    assert_eq!(report.matches("result: PASS").count(), 3, "{report}");
    // The award summary laid out a row at a time and joined.
    let (_dir, parts) = run_handworked(&["--only", "A", "--set", "report.summary_rows_per_part=1"]);
    let o = Command::new("pdfua")
        .arg("check")
        .arg(parts.join("award-summary.pdf"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && report.contains("result: PASS"),
        "pdfua found problems:\n{report}"
    );
}

/// A PDF's outline: every item's depth and title, in order.
fn outline(doc: &lopdf::Document) -> Vec<(usize, String)> {
    fn walk(
        doc: &lopdf::Document,
        first: Option<&lopdf::Object>,
        depth: usize,
        out: &mut Vec<(usize, String)>,
    ) {
        let mut next = first.and_then(|o| o.as_reference().ok());
        while let Some(id) = next {
            let item = doc.get_dictionary(id).unwrap();
            let title = item.get(b"Title").unwrap().as_str().unwrap();
            let title = match title {
                [0xFE, 0xFF, rest @ ..] => String::from_utf16(
                    &rest
                        .chunks(2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]))
                        .collect::<Vec<_>>(),
                )
                .unwrap(),
                latin => latin.iter().map(|&b| b as char).collect(),
            };
            out.push((depth, title));
            walk(doc, item.get(b"First").ok(), depth + 1, out);
            next = item.get(b"Next").ok().and_then(|o| o.as_reference().ok());
        }
    }
    let mut items = Vec::new();
    let catalog = doc.catalog().unwrap();
    let outlines = doc
        .get_dictionary(catalog.get(b"Outlines").unwrap().as_reference().unwrap())
        .unwrap();
    walk(doc, outlines.get(b"First").ok(), 0, &mut items);
    items
}

#[test]
fn a_summary_laid_out_in_parts_is_the_whole_summary_in_one_tagged_pdf() {
    let (_d1, whole) = run_handworked(&["--only", "A"]);
    // One row per part: the class of three is cut into three parts.
    let (_d2, split) = run_handworked(&["--only", "A", "--set", "report.summary_rows_per_part=1"]);
    let whole_pdf = lopdf::Document::load(whole.join("award-summary.pdf")).unwrap();
    qpdf_check(&split.join("award-summary.pdf"));
    let pdf = lopdf::Document::load(split.join("award-summary.pdf")).unwrap();
    assert_eq!(
        outline(&pdf),
        outline(&whole_pdf),
        "the same headings, nested alike"
    );
    let pages = pdf.get_pages();
    assert!(
        pages.len() > whole_pdf.get_pages().len(),
        "each part starts a page"
    );
    // One structure tree: each page's key into the parent tree is its own and in the tree.
    let root = pdf
        .get_dictionary(
            pdf.catalog()
                .unwrap()
                .get(b"StructTreeRoot")
                .unwrap()
                .as_reference()
                .unwrap(),
        )
        .unwrap();
    let nums = root
        .get(b"ParentTree")
        .unwrap()
        .as_dict()
        .unwrap()
        .get(b"Nums")
        .unwrap()
        .as_array()
        .unwrap();
    let keys: Vec<i64> = nums
        .iter()
        .step_by(2)
        .map(|k| k.as_i64().unwrap())
        .collect();
    let mut page_keys: Vec<i64> = pages
        .values()
        .map(|&id| {
            pdf.get_dictionary(id)
                .unwrap()
                .get(b"StructParents")
                .unwrap()
                .as_i64()
                .unwrap()
        })
        .collect();
    page_keys.sort();
    page_keys.dedup();
    assert_eq!(page_keys.len(), pages.len(), "no two pages share a key");
    assert!(
        page_keys.iter().all(|k| keys.contains(k)),
        "{page_keys:?} in {keys:?}"
    );
    let ids = root
        .get(b"IDTree")
        .unwrap()
        .as_dict()
        .unwrap()
        .get(b"Names")
        .unwrap()
        .as_array()
        .unwrap();
    let mut names: Vec<&[u8]> = ids.iter().step_by(2).map(|n| n.as_str().unwrap()).collect();
    let count = names.len();
    names.sort();
    names.dedup();
    assert_eq!(
        names.len(),
        count,
        "structure element ids are unique across parts"
    );
    let Some(text) = flat_pdf_text(&split.join("award-summary.pdf")) else {
        return;
    };
    for name in [
        "Ærlige Øl & Åsmund AS",
        "Bølgebryggeriet AS",
        "Cæsar Brygg AS",
        "Resultater per klasse (fortsatt)",
    ] {
        assert!(text.contains(name), "{name} is missing");
    }
    for page in 1..=pages.len() {
        assert!(
            text.contains(&format!("Side {page} ")) || text.ends_with(&format!("Side {page}")),
            "page {page} is numbered"
        );
    }
}

#[test]
fn last_season_and_awards_show_in_the_report() {
    let (_dir, last) = run_handworked(&["--only", "A"]);
    let previous = last.join("results/results.json");
    let (_dir2, out) = run_handworked(&[
        "--only",
        "A,B",
        "--set",
        &format!("season.previous=\"{}\"", previous.display()),
        "--set",
        "areas.wait.weight=0",
    ]);
    let Some(a) = flat_pdf_text(&out.join("reports/A.pdf")) else {
        return;
    };
    // Last season A had 47,3; without the wait area it has (7500/90 + 5000/90) / 3 = 46,3.
    assert!(
        a.contains("Forrige sesong (Håndregnet sesong 2022)") && a.contains("47,3 −1,0 3"),
        "{a}"
    );
    let b = flat_pdf_text(&out.join("reports/B.pdf")).unwrap();
    assert!(
        b.contains("Vinner i klassen Bryggeri") && b.contains("Årets Kundeservice"),
        "{b}"
    );
    let summary = flat_pdf_text(&out.join("award-summary.pdf")).unwrap();
    assert!(
        summary.contains("Største endringer fra i fjor") && summary.contains("47,3 46,3 −1,0"),
        "{summary}"
    );
}

/// Text for comparing with what pdftotext gives back: no white space (pdftotext puts line
/// breaks where the layout does and guesses the spaces around emoji), no control or format
/// characters (joiners, bidi marks, tag characters), and characters no font has as the
/// placeholder the report shows.
fn comparable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{10FFFD}' | '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .filter(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(*c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0xFE00..=0xFE0F | 0xE0000..=0xE007F)
        })
        .collect()
}

/// The words of a right-to-left text. poppler writes each run of the other direction as a
/// separate segment and the lam-alef ligature as alef-lam, so RTL texts are compared word by
/// word with that ligature in one spelling.
fn rtl_words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || ",،.:".contains(c))
        .map(|w| comparable(w).replace("لا", "ال"))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Every word box of a PDF by `pdftotext -bbox`, with its page's width and height.
fn word_boxes(path: &Path) -> Vec<(f64, f64, [f64; 4], String)> {
    let o = Command::new("pdftotext")
        .args(["-bbox", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext runs");
    let text = String::from_utf8_lossy(&o.stdout);
    let attr = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[start..start + tag[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let mut page = (0.0, 0.0);
    let mut boxes = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page = (attr(line, "width"), attr(line, "height"));
        } else if line.starts_with("<word ") {
            let word = &line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()];
            let b = ["xMin", "yMin", "xMax", "yMax"].map(|n| attr(line, n));
            boxes.push((page.0, page.1, b, word.to_string()));
        }
    }
    boxes
}

#[test]
fn any_text_people_type_renders_stays_text_and_stays_on_the_page() {
    let (_dir, out) = run_config("testdata/strange/ksp.toml", &[]);
    let summary = read_json(&out.join("run-summary.json"));
    assert_eq!(
        summary["documents_rendered"], 7,
        "every report and the summary"
    );
    // C's name holds U+0007 and U+0001, its comments U+0007, U+0001, U+0085 (removed), a
    // plane-16 private-use character and U+FFFF (shown as the placeholder).
    assert_eq!(summary["characters_removed"], 5, "{summary}");
    assert_eq!(summary["characters_replaced"], 2, "{summary}");
    assert_eq!(summary["participants_with_changed_characters"], 1);
    let warnings = summary["warnings"].as_array().unwrap();
    let fix = warnings
        .iter()
        .find(|w| w["message"].as_str().unwrap().contains("participant `C`"))
        .expect("one warning for participant C");
    assert!(
        fix["where"]
            .as_str()
            .unwrap()
            .ends_with("participants.csv:6:2: column `name`")
            && fix["message"].as_str().unwrap().contains("U+0007")
            && fix["message"].as_str().unwrap().contains("U+10FFFD"),
        "{fix}"
    );
    if pdf_text(&out.join("award-summary.pdf")).is_none() {
        return;
    }
    let raw = |id: &str| comparable(&pdf_text(&out.join(format!("reports/{id}.pdf"))).unwrap());
    let logical = |id: &str| {
        let o = Command::new("pdftotext")
            .arg(out.join(format!("reports/{id}.pdf")))
            .arg("-")
            .output()
            .unwrap();
        rtl_words(&String::from_utf8_lossy(&o.stdout)).join(" ")
    };
    let mut texts: Vec<(String, String)> = rows(&root().join("testdata/strange/responses.csv"))
        .into_iter()
        .map(|r| (r["participant_id"].clone(), r["comment_agent"].clone()))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    texts.extend(
        rows(&root().join("testdata/strange/participants.csv"))
            .into_iter()
            .map(|r| (r["participant_id"].clone(), r["name"].clone())),
    );
    for (id, text) in texts {
        if text.len() > 10_000 {
            // Across pages, with running headers between: every sentence, then the end.
            let got = raw(&id);
            for i in 1..=120 {
                assert!(got.contains(&format!("(avsnitt{i})")), "{id}: sentence {i}");
            }
            assert!(
                got.contains("(sluttpådenlangekommentaren)"),
                "{id}: its end"
            );
        } else if rtl_words(&text)
            .iter()
            .any(|w| w.chars().any(|c| ('\u{590}'..='\u{8FF}').contains(&c)))
        {
            let got = logical(&id);
            for word in rtl_words(&text) {
                assert!(got.contains(&word), "{id}: `{word}` of `{text}` in {got}");
            }
        } else {
            let want = comparable(&text).replace(['\u{7}', '\u{1}'], "");
            assert!(
                raw(&id).contains(&want),
                "{id}: `{text}` is not in its report"
            );
        }
    }
    let margin = 20.0 / 25.4 * 72.0;
    let pdfs: Vec<PathBuf> = ["A", "C", "E", "S", "W", "Z"]
        .iter()
        .map(|id| out.join(format!("reports/{id}.pdf")))
        .chain([out.join("award-summary.pdf")])
        .collect();
    for pdf in &pdfs {
        for (width, height, [x0, y0, x1, y1], word) in word_boxes(pdf) {
            assert!(
                x0 >= margin - 1.0 && x1 <= width - margin + 1.0 && y0 >= 0.0 && y1 <= height,
                "{}: `{word}` at x {x0:.0}–{x1:.0}, y {y0:.0}–{y1:.0} is outside the text area",
                pdf.display()
            );
        }
    }
    if let Ok(o) = Command::new("pdfua").arg("check").args(&pdfs).output() {
        let report = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "pdfua found problems:\n{report}");
    } else if std::env::var_os("CI").is_some() {
        panic!("pdfua is missing: pip install pdfua");
    }
}

#[test]
fn a_weight_reads_the_same_in_the_areas_table_the_area_and_the_methodology() {
    let (_dir, out) = run_handworked(&["--only", "A", "--set", "areas.agent.weight=12.5"]);
    let Some(text) = flat_pdf_text(&out.join("reports/A.pdf")) else {
        return;
    };
    assert!(
        text.contains("Kundebehandleren 12,5 "),
        "the areas table: {text}"
    );
    assert!(text.contains("Vekt 12,5"), "the area's page: {text}");
    assert!(
        text.contains("Kundebehandleren (Vekt 12,5)"),
        "the methodology: {text}"
    );
    assert!(!text.contains("Kundebehandleren 13 "), "{text}");
}
