//! The CSV loader, the input checks and the config parser on arbitrary bytes: they report
//! problems, they never panic. 10,000+ cases each in the normal test run.

mod common;

use std::path::Path;

use proptest::prelude::*;

use common::root;

fn season() -> &'static ksp::config::Season {
    static SEASON: std::sync::OnceLock<ksp::config::Season> = std::sync::OnceLock::new();
    SEASON.get_or_init(|| {
        ksp::config::load(
            &root().join("testdata/handworked/ksp.toml"),
            &Default::default(),
        )
        .unwrap()
    })
}

/// Text that looks like CSV often enough to get past the header: real column names, the
/// delimiters, quotes, line ends and values of every kind.
fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"inquiry_id,participant_id,channel,sent_at,answered_at,listened,answers,would_buy,grade,nps\n".to_vec()),
        Just(b"participant_id,name,class,sector,channels\n".to_vec()),
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"A".to_vec()),
        Just(b"phone".to_vec()),
        Just(b"2022-03-01 10:00:00".to_vec()),
        Just(b"2022-03-27 02:30".to_vec()),
        Just(b"5".to_vec()),
        Just(b"ja".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just("Ærlig Øl".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..4),
    ];
    proptest::collection::vec(token, 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn csv_loader_and_checks_never_panic(participants in csv_like(), responses in csv_like()) {
        let season = season();
        let p = ksp::input::table::read_csv(Path::new("participants.csv"), participants, None);
        let r = ksp::input::table::read_csv(Path::new("responses.csv"), responses, None);
        if let (Ok(p), Ok(r)) = (p, r) {
            let _ = ksp::input::check_tables(
                season,
                &p,
                &r,
                &ksp::glyphs::Coverage::everything(),
                ksp::input::Hashes::Make,
            );
        }
    }

    #[test]
    fn csv_loader_never_panics_on_raw_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        // Rows are read as they are checked, so reading them is part of loading; read in
        // batches (as responses are, in parallel) they are the same rows on the same lines.
        if let Ok(table) = ksp::input::table::read_csv(Path::new("x.csv"), bytes, None) {
            let whole: Vec<String> = table.rows().iter().map(|r| format!("{r:?}")).collect();
            let mut batched = Vec::new();
            for batch in table.batches(2) {
                batch.for_each(|r| batched.push(format!("{:?}", r.cloned())));
            }
            prop_assert_eq!(batched, whole);
        }
    }

    #[test]
    fn config_parser_never_panics(text in ".{0,200}") {
        let _ = ksp::config::parse(Path::new("x.toml"), &text, &[]);
    }

    #[test]
    fn config_parser_never_panics_on_a_damaged_config(cut in 0usize..4000, junk in "[\\[\\]=\"a-z0-9 .\n{}]{0,12}", set in "[a-z_.=0-9]{0,20}") {
        let text = std::fs::read_to_string(root().join("testdata/handworked/ksp.toml")).unwrap();
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let damaged = format!("{}{junk}{}", &text[..at], &text[at..]);
        let _ = ksp::config::parse(Path::new("x.toml"), &damaged, &[]);
        let _ = ksp::config::parse(Path::new("x.toml"), &text, &[set]);
    }
}
