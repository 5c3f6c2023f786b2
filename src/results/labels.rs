//! What the results files' columns are, for people: each column's kind of figure (which sets
//! its number format in the workbook) and its meaning in the season's language. The column
//! names themselves stay the CSV's, which machines read. Every word of the workbook is here.

use crate::config::{Language, Season};

/// The kind of figure a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Flag,
    Count,
    /// A score, percent of points, mean or gap: one decimal.
    Score,
    /// A ratio from 0 to 1, shown as a percent.
    Share,
    PValue,
    /// A correlation or a z statistic: two decimals.
    Correlation,
    /// A length of time in seconds (business seconds on business-time channels).
    Seconds,
}

const TEXT: [&str; 19] = [
    "participant_id",
    "name",
    "class",
    "funnel",
    "funnel_95",
    "winner_ids",
    "award",
    "channel",
    "shopper_id",
    "kind",
    "id",
    "question",
    "breakdown",
    "scope",
    "scope_id",
    "category",
    "measure",
    "threshold",
    "outcome",
];
const FLAGS: [&str; 5] = ["eligible", "too_close", "flagged", "best", "significant"];
const COUNTS: [&str; 14] = [
    "n_inquiries",
    "n_answered",
    "class_rank",
    "rank_low",
    "rank_high",
    "n_participants",
    "n_eligible",
    "inquiries_needed",
    "n",
    "count",
    "below_n",
    "below_yes",
    "above_n",
    "above_yes",
];
const SHARES: [&str; 5] = [
    "p_class_win",
    "p_overall_win",
    "share",
    "below_yes_share",
    "above_yes_share",
];
const SECONDS: [&str; 6] = [
    "median",
    "p75",
    "p90",
    "cutoff",
    "mean_wait",
    "mean_handling",
];

/// The kind of a column, by its name.
pub fn kind(column: &str) -> Kind {
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| column.starts_with(p));
    match column {
        c if TEXT.contains(&c) => Kind::Text,
        c if FLAGS.contains(&c) => Kind::Flag,
        c if COUNTS.contains(&c) || starts(&["n_"]) => Kind::Count,
        "p_value" => Kind::PValue,
        "r" | "z" => Kind::Correlation,
        c if SHARES.contains(&c) => Kind::Share,
        c if SECONDS.contains(&c) || starts(&["wait_", "handling_"]) => Kind::Seconds,
        _ if starts(&["answer_rate", "top_", "yes_", "share_", "within_"]) => Kind::Share,
        _ => Kind::Score,
    }
}

/// The workbook's own words.
pub struct Words {
    pub about: &'static str,
    pub title: &'static str,
    pub season: &'static str,
    pub report_date: &'static str,
    pub made_by: &'static str,
    pub full_precision: &'static str,
    pub sheets: &'static str,
    pub columns: &'static str,
}

pub fn words(lang: Language) -> Words {
    match lang {
        Language::Nb => Words {
            about: "Om",
            title: "Resultatene av sesongen, tabell for tabell",
            season: "Sesong",
            report_date: "Rapportdato",
            made_by: "Laget av",
            full_precision: "Cellene har full presisjon; formatet viser færre desimaler. Kolonnenavnene er de samme som i CSV-filene.",
            sheets: "Arkene",
            columns: "Kolonnene",
        },
        Language::En => Words {
            about: "About",
            title: "The season's results, table by table",
            season: "Season",
            report_date: "Report date",
            made_by: "Made by",
            full_precision: "Cells hold full precision; the format shows fewer decimals. Column names are those of the CSV files.",
            sheets: "Sheets",
            columns: "Columns",
        },
    }
}

/// What a sheet holds.
pub fn sheet(name: &str, lang: Language) -> &'static str {
    let (nb, en) = match name {
        "participants" => (
            "Én rad per deltaker: resultat, områder, kanaler, rangering og hvor sikker den er",
            "One row per participant: total, areas, channels, rank and how firm it is",
        ),
        "classes" => (
            "Én rad per klasse: snitt, best, vinnere og om det er for jevnt til å kåre",
            "One row per class: mean, best, winners and whether it is too close to call",
        ),
        "awards" => ("Én rad per pris som er vunnet", "One row per award won"),
        "shoppers" => (
            "Én rad per testkunde: om den gir systematisk strengere eller mildere vurderinger",
            "One row per mystery shopper: whether it grades systematically harder or softer",
        ),
        "findings" => (
            "Per deltaker: hvert område og spørsmål mot klassen, med Welch-test",
            "Per participant: each area and question against its class, with Welch's test",
        ),
        "drivers" => (
            "Hvert spørsmål mot utfallet: korrelasjon og antall",
            "Each question against the outcome: correlation and count",
        ),
        "breakdowns" => (
            "Fordelinger per sesong, klasse og deltaker",
            "Breakdowns per season, class and participant",
        ),
        "times" => (
            "Ventetider og behandlingstider: fordeling og andel innen grensene",
            "Waits and handling times: distribution and share within the limits",
        ),
        "thresholds" => (
            "Hver grense som er prøvd, med Fishers eksakte test",
            "Every cut-off tried, with Fisher's exact test",
        ),
        _ => ("", ""),
    };
    match lang {
        Language::Nb => nb,
        Language::En => en,
    }
}

/// What a column holds, in the season's language; areas, channels and questions by name.
pub fn column(name: &str, season: &Season) -> String {
    let lang = season.language;
    let pick = |nb: &str, en: &str| match lang {
        Language::Nb => nb.to_string(),
        Language::En => en.to_string(),
    };
    let area = |id: &str| {
        season
            .areas
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.get(lang).to_string())
    };
    let channel = |id: &str| {
        season
            .channels
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.get(lang).to_string())
    };
    let question = |id: &str| {
        season
            .questions
            .iter()
            .find(|q| q.id == id)
            .map(|q| q.label.get(lang).to_string())
    };
    if let Some(fixed) = fixed_column(name, lang) {
        return fixed.to_string();
    }
    let named = [
        (
            "mean_area_",
            pick("Klassens snitt for området", "Class mean of the area"),
            &area as &dyn Fn(&str) -> Option<String>,
        ),
        (
            "best_area_",
            pick("Klassens beste for området", "Class best of the area"),
            &area,
        ),
        ("area_", pick("Områdets prosent", "Area percent"), &area),
        (
            "channel_",
            pick("Score i kanalen", "Score on the channel"),
            &channel,
        ),
        (
            "n_",
            pick("Henvendelser i kanalen", "Inquiries on the channel"),
            &channel,
        ),
        (
            "answer_rate_",
            pick("Svarandel i kanalen", "Answer rate on the channel"),
            &channel,
        ),
        (
            "within_first_band_",
            pick(
                "Andel besvart innen første grense",
                "Share answered within the first band",
            ),
            &channel,
        ),
        (
            "wait_median_",
            pick("Median ventetid, sekunder", "Median wait, seconds"),
            &channel,
        ),
        (
            "wait_p75_",
            pick(
                "75-persentil ventetid, sekunder",
                "75th percentile wait, seconds",
            ),
            &channel,
        ),
        (
            "wait_p90_",
            pick(
                "90-persentil ventetid, sekunder",
                "90th percentile wait, seconds",
            ),
            &channel,
        ),
        (
            "handling_median_",
            pick(
                "Median behandlingstid, sekunder",
                "Median handling time, seconds",
            ),
            &channel,
        ),
        (
            "handling_p75_",
            pick(
                "75-persentil behandlingstid, sekunder",
                "75th percentile handling time, seconds",
            ),
            &channel,
        ),
        (
            "handling_p90_",
            pick(
                "90-persentil behandlingstid, sekunder",
                "90th percentile handling time, seconds",
            ),
            &channel,
        ),
        ("mean_", pick("Snitt", "Mean"), &question),
        (
            "top_",
            pick("Andel i toppboksen", "Top-box share"),
            &question,
        ),
        ("yes_", pick("Andel ja", "Share of yes"), &question),
    ];
    for (prefix, what, find) in named {
        if let Some(id) = name.strip_prefix(prefix)
            && let Some(thing) = find(id)
        {
            return format!("{what}: {thing}");
        }
    }
    match name {
        n if n.starts_with("share_") => pick(
            "Andel som valgte svaralternativet",
            "Share choosing the option",
        ),
        n if n.starts_with("within_") => pick("Andel innen grensen", "Share within the limit"),
        n if n.starts_with("mean_") => pick("Snitt", "Mean"),
        _ => String::new(),
    }
}

fn fixed_column(name: &str, lang: Language) -> Option<&'static str> {
    let (nb, en) = match name {
        "participant_id" => ("Deltakerens id", "The participant's id"),
        "name" => ("Navn", "Name"),
        "class" => ("Klasse (bransje)", "Class (industry)"),
        "eligible" => (
            "Nok henvendelser til å rangeres",
            "Enough inquiries to be ranked",
        ),
        "n_inquiries" => ("Henvendelser", "Inquiries"),
        "n_answered" => ("Besvarte henvendelser", "Answered inquiries"),
        "answer_rate" => ("Svarandel", "Answer rate"),
        "total" => (
            "Totalresultat: snitt av alle henvendelsers score",
            "Total: mean score of all inquiries",
        ),
        "total_answered" => (
            "Score for besvarte henvendelser",
            "Score of answered inquiries",
        ),
        "ci_low" | "ci_high" => (
            "95 %-intervall for totalresultatet",
            "95 % interval of the total",
        ),
        "class_rank" => ("Plass i klassen", "Rank in the class"),
        "nps" => (
            "Net Promoter Score, −100 til 100",
            "Net Promoter Score, −100 to 100",
        ),
        "rank_low" | "rank_high" => (
            "90 %-intervall for plassen (omtrekning)",
            "90 % interval of the rank (resampled)",
        ),
        "p_class_win" => ("Sjanse for å vinne klassen", "Chance of winning the class"),
        "p_overall_win" => ("Sjanse for å vinne totalt", "Chance of winning overall"),
        "funnel" => (
            "Over, innenfor eller under traktens 99,8 %-grenser",
            "Above, within or below the funnel's 99.8 % limits",
        ),
        "funnel_95" => (
            "Det samme for 95 %-grensene",
            "The same for the 95 % limits",
        ),
        "n_participants" => ("Deltakere", "Participants"),
        "n_eligible" => ("Rangerte deltakere", "Ranked participants"),
        "mean_total" => ("Snitt av totalresultatene", "Mean of the totals"),
        "best_total" => ("Beste totalresultat", "Best total"),
        "winner_ids" => (
            "Vinnernes id, skilt med |",
            "The winners' ids, separated by |",
        ),
        "too_close" => (
            "For jevnt til å kåre (Welch, p ≥ 0,05)",
            "Too close to call (Welch, p ≥ 0.05)",
        ),
        "p_value" => ("p-verdi", "p-value"),
        "inquiries_needed" => (
            "Henvendelser hver trenger for å skilles",
            "Inquiries each would need to be told apart",
        ),
        "award" => ("Prisen", "The award"),
        "channel" => ("Kanal", "Channel"),
        "score" => ("Tallet det er rangert på", "The figure ranked on"),
        "shopper_id" => ("Testkundens id", "The mystery shopper's id"),
        "n" => ("Antall", "Count"),
        "effect" => (
            "Snittavvik fra deltakerens score",
            "Mean deviation from the participant's score",
        ),
        "z" => ("z-verdi for avviket", "z of the deviation"),
        "flagged" => ("Merket: |z| > 3,09", "Flagged: |z| > 3.09"),
        "kind" => ("Område eller spørsmål", "Area or question"),
        "id" => (
            "Områdets eller spørsmålets id",
            "The area's or question's id",
        ),
        "value" => ("Deltakerens verdi", "The participant's value"),
        "class_value" => ("Klassens verdi", "The class's value"),
        "gap" => (
            "Avstand til klassen, prosentpoeng",
            "Gap to the class, percentage points",
        ),
        "question" => ("Spørsmålets id", "The question's id"),
        "r" => ("Korrelasjon med utfallet", "Correlation with the outcome"),
        "breakdown" => ("Fordelingen", "The breakdown"),
        "scope" => (
            "Sesong, klasse eller deltaker",
            "Season, class or participant",
        ),
        "scope_id" => (
            "Hvilken klasse eller deltaker",
            "Which class or participant",
        ),
        "category" => ("Kategori", "Category"),
        "count" => ("Antall henvendelser", "Inquiries"),
        "share" => ("Andel", "Share"),
        "measure" => ("Ventetid eller behandlingstid", "Wait or handling time"),
        "median" => ("Median, sekunder", "Median, seconds"),
        "p75" => ("75-persentil, sekunder", "75th percentile, seconds"),
        "p90" => ("90-persentil, sekunder", "90th percentile, seconds"),
        "threshold" => ("Analysen", "The analysis"),
        "outcome" => ("Ja/nei-spørsmålet", "The yes/no question"),
        "cutoff" => ("Grensen, sekunder", "The cut-off, seconds"),
        "below_n" | "below_yes" | "below_yes_share" => (
            "Til og med grensen: antall, ja, andel ja",
            "At or below: count, yes, share of yes",
        ),
        "above_n" | "above_yes" | "above_yes_share" => (
            "Over grensen: antall, ja, andel ja",
            "Above: count, yes, share of yes",
        ),
        "best" => (
            "Grensen som skiller best",
            "The cut-off that separates best",
        ),
        _ => return None,
    };
    Some(match lang {
        Language::Nb => nb,
        Language::En => en,
    })
}

/// The config's key figures, in groups: areas and weights, channels and limits, award rules.
pub fn key_figures(season: &Season) -> Vec<(String, Vec<(String, String)>)> {
    let lang = season.language;
    let pick = |nb: &str, en: &str| match lang {
        Language::Nb => nb.to_string(),
        Language::En => en.to_string(),
    };
    let areas = season
        .areas
        .iter()
        .map(|a| (a.name.get(lang).to_string(), format!("{}", a.weight)))
        .collect();
    let channels = season
        .channels
        .iter()
        .map(|c| {
            let limit = season
                .effective
                .channels
                .get(&c.id)
                .and_then(|raw| raw.limit.clone());
            (
                c.name.get(lang).to_string(),
                limit.unwrap_or_else(|| "–".into()),
            )
        })
        .collect();
    let rules = &season.award;
    let award = vec![
        (
            pick(
                "Minste antall henvendelser for rangering",
                "Inquiries to be ranked",
            ),
            rules.min_inquiries.to_string(),
        ),
        (
            pick(
                "Minste antall rangerte i en klasse med vinner",
                "Ranked participants for a class winner",
            ),
            rules.min_class_size.to_string(),
        ),
        (
            pick(
                "Minste antall henvendelser i kanalen for kanalpris",
                "Inquiries on a channel for its award",
            ),
            rules.min_channel_inquiries.to_string(),
        ),
        (
            pick("Avgjør likhet etter", "Ties broken by"),
            season.area(rules.tie_break_area).name.get(lang).to_string(),
        ),
        (
            pick("Omtrekninger", "Resamples"),
            rules.resamples.to_string(),
        ),
    ];
    vec![
        (pick("Områder og vekter", "Areas and weights"), areas),
        (
            pick("Kanaler og svarfrister", "Channels and limits"),
            channels,
        ),
        (pick("Prisreglene", "Award rules"), award),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_formatted_by_their_kind_of_figure() {
        for (column, expected) in [
            ("total", Kind::Score),
            ("area_agent", Kind::Score),
            ("mean_csat", Kind::Score),
            ("answer_rate", Kind::Share),
            ("answer_rate_phone", Kind::Share),
            ("within_first_band_chat", Kind::Share),
            ("top_csat", Kind::Share),
            ("share_reason_price", Kind::Share),
            ("p_class_win", Kind::Share),
            ("p_value", Kind::PValue),
            ("r", Kind::Correlation),
            ("n_inquiries", Kind::Count),
            ("n_phone", Kind::Count),
            ("class_rank", Kind::Count),
            ("wait_median_phone", Kind::Seconds),
            ("mean_wait", Kind::Seconds),
            ("cutoff", Kind::Seconds),
            ("name", Kind::Text),
            ("eligible", Kind::Flag),
        ] {
            assert_eq!(kind(column), expected, "{column}");
        }
    }
}
