//! Invariants of the scoring over generated seasons: input order never matters, every figure
//! stays in its range, a flawless participant scores exactly 100, and CSV with `,`, CSV with
//! `;` and a byte-order mark, and Parquet give identical results; the chances of winning
//! (§7.1) sum to one and do not depend on the thread count.

mod common;

use std::path::{Path, PathBuf};

use ksp::config::{QuestionKind, Season};
use ksp::generate::{Spec, generate};
use ksp::input::ParticipantIx;
use ksp::random::Rng;
use proptest::prelude::*;

use common::root;

/// The bundled config pointed at input files in `dir`.
fn config_for(dir: &Path, participants: &str, responses: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join("config/ksp-2022.toml")).unwrap();
    let text = text
        .replace("../testdata/ksp-2022/participants.csv", participants)
        .replace("../testdata/ksp-2022/responses.csv", responses)
        .replace(
            "../report-templates",
            root().join("report-templates").to_str().unwrap(),
        );
    let path = dir.join("season.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The results tables of a season as CSV bytes, without rendering.
fn results(config: &Path) -> [Vec<u8>; 3] {
    let p = ksp::prepare_config(config, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let t = ksp::results::tables(p.figures());
    let sheets = t.sheets();
    [sheets[0].csv(), sheets[1].csv(), sheets[2].csv()]
}

fn shuffle_lines(text: &str, rng: &mut Rng) -> String {
    let mut records: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    for i in (1..records.len()).rev() {
        records.swap(i, rng.below(i + 1));
    }
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(reader.headers().unwrap()).unwrap();
    for r in records {
        w.write_record(&r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn small_season(seed: u64) -> (String, String) {
    generate(&Spec {
        participants: 30,
        inquiries: 700,
        seed,
        year: 2022,
        classes: 0,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn shuffling_input_rows_changes_no_output(seed in 0u64..1000, shuffle in any::<u64>()) {
        let dir = tempfile::tempdir().unwrap();
        let (p, r) = small_season(seed);
        std::fs::write(dir.path().join("p.csv"), &p).unwrap();
        std::fs::write(dir.path().join("r.csv"), &r).unwrap();
        let mut rng = Rng::new(shuffle);
        std::fs::write(dir.path().join("ps.csv"), shuffle_lines(&p, &mut rng)).unwrap();
        std::fs::write(dir.path().join("rs.csv"), shuffle_lines(&r, &mut rng)).unwrap();
        let a = results(&config_for(dir.path(), "p.csv", "r.csv"));
        let b = results(&config_for(dir.path(), "ps.csv", "rs.csv"));
        prop_assert!(a == b, "results differ after shuffling the input rows");
    }

    #[test]
    fn every_figure_stays_in_its_range(seed in 0u64..10_000) {
        let dir = tempfile::tempdir().unwrap();
        let (p, r) = small_season(seed);
        std::fs::write(dir.path().join("p.csv"), &p).unwrap();
        std::fs::write(dir.path().join("r.csv"), &r).unwrap();
        let prepared = ksp::prepare_config(&config_for(dir.path(), "p.csv", "r.csv"), &Default::default()).unwrap();
        let in_range = |x: Option<f64>, lo: f64, hi: f64| x.is_none_or(|v| (lo..=hi).contains(&v));
        for s in &prepared.scores.inquiries {
            prop_assert!(in_range(s.score, 0.0, 100.0));
            prop_assert!(s.area_pct.iter().all(|p| in_range(*p, 0.0, 100.0)));
        }
        for f in &prepared.scores.participants {
            prop_assert!(in_range(f.total, 0.0, 100.0));
            prop_assert!(in_range(f.total_answered, 0.0, 100.0));
            prop_assert!(f.areas.iter().all(|a| in_range(*a, 0.0, 100.0)));
            prop_assert!(f.channels.iter().all(|c| in_range(c.score, 0.0, 100.0)));
            prop_assert!(f.questions.iter().all(|q| in_range(*q, 0.0, 100.0)));
            prop_assert!(in_range(f.nps, -100.0, 100.0));
            prop_assert!(in_range(f.answer_rate, 0.0, 1.0));
        }
    }

    #[test]
    fn win_chances_sum_to_one_whatever_the_threads(seed in 0u64..10_000) {
        let dir = tempfile::tempdir().unwrap();
        let (p, r) = small_season(seed);
        std::fs::write(dir.path().join("p.csv"), &p).unwrap();
        std::fs::write(dir.path().join("r.csv"), &r).unwrap();
        let config = config_for(dir.path(), "p.csv", "r.csv");
        let prepared = ksp::prepare_config(&config, &Default::default()).unwrap();
        let (firm, standings) = (&prepared.robustness.participants, &prepared.standings);
        let mut overall = 0.0;
        for class in standings.classes.iter().filter(|c| c.has_winner) {
            let chances = class.members.iter().filter_map(|&ParticipantIx(m)| firm[m].p_class_win);
            let sum: f64 = chances.sum();
            prop_assert!((sum - 1.0).abs() < 1e-9, "{}: p_class_win sums to {sum}", class.class);
            overall += class.members.iter().filter_map(|&ParticipantIx(m)| firm[m].p_overall_win).sum::<f64>();
            for &ParticipantIx(m) in class.members.iter().filter(|m| standings.eligible[m.0]) {
                let (low, high) = (firm[m].rank_low.unwrap(), firm[m].rank_high.unwrap());
                prop_assert!(1 <= low && low <= high && high <= class.n_eligible);
            }
        }
        if standings.classes.iter().any(|c| c.has_winner) {
            prop_assert!((overall - 1.0).abs() < 1e-9, "p_overall_win sums to {overall}");
        }
        let assess_with = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| ksp::robustness::assess(&prepared.season, &prepared.data, &prepared.scores, standings))
        };
        prop_assert!(assess_with(1) == assess_with(3), "the figures depend on the thread count");
    }

    #[test]
    fn a_flawless_participant_scores_exactly_100(
        channels in proptest::collection::vec(0usize..4, 1..30),
        public in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let config = config_for(dir.path(), "p.csv", "r.csv");
        let season = ksp::config::load(&config, &Default::default()).unwrap();
        let (p, r) = flawless(&season, &channels, public);
        std::fs::write(dir.path().join("p.csv"), p).unwrap();
        std::fs::write(dir.path().join("r.csv"), r).unwrap();
        let prepared = ksp::prepare_config(&config, &Default::default()).unwrap();
        let f = &prepared.scores.participants[0];
        prop_assert_eq!(f.total, Some(100.0));
        prop_assert_eq!(f.total_answered, Some(100.0));
    }
}

/// One participant whose every inquiry is answered within the first band with the best
/// answer to every question that applies.
fn flawless(season: &Season, channels: &[usize], public: bool) -> (String, String) {
    let offered: Vec<&str> = season.channels.iter().map(|c| c.id.as_str()).collect();
    let participants = format!(
        "participant_id,name,class,sector,channels\nP1,Feilfri AS,Test,{},{}\n",
        if public { "public" } else { "private" },
        offered.join("|")
    );
    let mut header = vec![
        "inquiry_id",
        "participant_id",
        "channel",
        "sent_at",
        "answered_at",
    ];
    header.extend(season.questions.iter().map(|q| q.id.as_str()));
    let mut responses = header.join(",") + "\n";
    for (i, &c) in channels.iter().enumerate() {
        let channel = &season.channels[c % season.channels.len()];
        // Mondays in March 2022, 10:00; answered after 30 seconds, inside every first band.
        let day = 7 + 7 * (i % 4);
        let mut row = vec![
            format!("I{i}"),
            "P1".into(),
            channel.id.clone(),
            format!("2022-03-{day:02} 10:00:00"),
            format!("2022-03-{day:02} 10:00:30"),
        ];
        for q in &season.questions {
            row.push(match q.kind {
                _ if !q.applies(
                    ksp::config::ChannelIx(c % season.channels.len()),
                    if public {
                        ksp::config::Sector::Public
                    } else {
                        ksp::config::Sector::Private
                    },
                ) =>
                {
                    String::new()
                }
                QuestionKind::Scale => q.scale.unwrap().1.to_string(),
                QuestionKind::YesNo => "ja".into(),
                QuestionKind::Choice => {
                    let best = q
                        .options
                        .iter()
                        .max_by(|a, b| a.points.total_cmp(&b.points))
                        .unwrap();
                    best.key.clone()
                }
            });
        }
        responses.push_str(&row.join(","));
        responses.push('\n');
    }
    (participants, responses)
}

#[test]
fn comma_semicolon_with_bom_and_parquet_give_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let (p, r) = small_season(7);
    std::fs::write(dir.path().join("p.csv"), &p).unwrap();
    std::fs::write(dir.path().join("r.csv"), &r).unwrap();
    let semicolon = |text: &str| {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(b"\xEF\xBB\xBF".to_vec());
        for record in reader.records() {
            w.write_record(&record.unwrap()).unwrap();
        }
        w.into_inner().unwrap()
    };
    std::fs::write(dir.path().join("p2.csv"), semicolon(&p)).unwrap();
    std::fs::write(dir.path().join("r2.csv"), semicolon(&r)).unwrap();
    std::fs::write(
        dir.path().join("p.parquet"),
        ksp::input::table::csv_to_parquet(p.as_bytes()).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("r.parquet"),
        ksp::input::table::csv_to_parquet(r.as_bytes()).unwrap(),
    )
    .unwrap();
    let comma = results(&config_for(dir.path(), "p.csv", "r.csv"));
    assert_eq!(
        comma,
        results(&config_for(dir.path(), "p2.csv", "r2.csv")),
        "`;` with a BOM and CRLF"
    );
    assert_eq!(
        comma,
        results(&config_for(dir.path(), "p.parquet", "r.parquet")),
        "Parquet"
    );
}

/// An Excel workbook with one sheet holding the CSV's cells, whole numbers as numbers.
fn xlsx(csv_text: &str, sheet: &str) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name(sheet).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes());
    for (r, record) in reader.records().enumerate() {
        for (c, cell) in record.unwrap().iter().enumerate() {
            match cell.parse::<i64>() {
                Ok(n) if r > 0 => ws.write_number(r as u32, c as u16, n as f64).map(|_| ()),
                _ if cell.is_empty() => Ok(()),
                _ => ws.write_string(r as u32, c as u16, cell).map(|_| ()),
            }
            .unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn excel_input_gives_the_same_results_and_names_sheet_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (p, r) = small_season(11);
    std::fs::write(dir.path().join("p.csv"), &p).unwrap();
    std::fs::write(dir.path().join("r.csv"), &r).unwrap();
    std::fs::write(dir.path().join("p.xlsx"), xlsx(&p, "Deltakere")).unwrap();
    std::fs::write(dir.path().join("r.xlsx"), xlsx(&r, "Svar")).unwrap();
    let csv_results = results(&config_for(dir.path(), "p.csv", "r.csv"));
    assert_eq!(
        csv_results,
        results(&config_for(dir.path(), "p.xlsx", "r.xlsx")),
        "Excel"
    );

    // A bad value is reported by sheet, row and column.
    let bad = r.replacen(",P001,", ",P999,", 1);
    std::fs::write(dir.path().join("bad.xlsx"), xlsx(&bad, "Svar")).unwrap();
    let err = ksp::prepare_config(
        &config_for(dir.path(), "p.xlsx", "bad.xlsx"),
        &Default::default(),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("bad.xlsx[Svar]:2:2: column `participant_id`: unknown participant_id `P999`"),
        "{err}"
    );
}
