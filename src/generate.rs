//! A deterministic generator of synthetic mystery-shopper seasons in the shape of the bundled
//! config (`config/ksp-2022.toml`): Norwegian companies, comments and believable waits. The
//! same seed always gives the same bytes; it makes the bundled season and benchmark seasons.

use std::fmt::Write as _;

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc, Weekday,
};

use crate::calendar::Calendar;
use crate::random::Rng;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub participants: usize,
    /// Inquiries in all; spread about evenly, a few participants below 20.
    pub inquiries: usize,
    pub seed: u64,
    pub year: i32,
    /// How many of the classes to use, the first ones; 0 for all 23.
    pub classes: usize,
}

impl Spec {
    /// The published size of the 2022 season: 188 participants, 4,700 inquiries.
    pub fn season_2022() -> Spec {
        Spec {
            participants: 188,
            inquiries: 4700,
            seed: 2022,
            year: 2022,
            classes: 0,
        }
    }
}

const CLASSES: [(&str, bool); 23] = [
    ("Bank", false),
    ("Forsikring", false),
    ("Telekom og bredbånd", false),
    ("Strøm", false),
    ("Netthandel", false),
    ("Dagligvare", false),
    ("Elektronikk", false),
    ("Møbler og interiør", false),
    ("Byggevare", false),
    ("Bilforhandler", false),
    ("Reiseliv", false),
    ("Flyselskap", false),
    ("Hotell", false),
    ("Treningssenter", false),
    ("Apotek og helse", false),
    ("Optikk", false),
    ("Klær og sko", false),
    ("Sport og fritid", false),
    ("Eiendom", false),
    ("Transport og logistikk", false),
    ("TV og strømming", false),
    ("Offentlige tjenester", true),
    ("Kommuner", true),
];

const PREFIXES: [&str; 40] = [
    "Nord", "Sør", "Vest", "Øst", "Fjord", "Fjell", "Bølge", "Lyng", "Bjørke", "Skog", "Hav",
    "Elve", "Solbær", "Tinde", "Ås", "Dal", "Vik", "Strand", "Nes", "Holm", "Furu", "Lerke",
    "Måke", "Ørne", "Rype", "Gran", "Kyst", "Li", "Tun", "Ærle", "Bø", "Fosse", "Brygge",
    "Stjerne", "Nordlys", "Midnatt", "Polar", "Trøndel", "Vår", "Hå",
];

const NOUNS: [&str; 23] = [
    "Sparebank",
    "Forsikring",
    "Nett",
    "Kraft",
    "Handel",
    "Mat",
    "Elektro",
    "Interiør",
    "Bygg",
    "Bil",
    "Reiser",
    "Fly",
    "Hotell",
    "Trening",
    "Apotek",
    "Optikk",
    "Mote",
    "Sport",
    "Eiendom",
    "Logistikk",
    "Media",
    "Etaten",
    "kommune",
];

const TOWNS: [&str; 20] = [
    "Oslo",
    "Bergen",
    "Trondheim",
    "Stavanger",
    "Tromsø",
    "Bodø",
    "Ålesund",
    "Drammen",
    "Kristiansand",
    "Fredrikstad",
    "Hamar",
    "Lillehammer",
    "Molde",
    "Harstad",
    "Narvik",
    "Gjøvik",
    "Skien",
    "Arendal",
    "Haugesund",
    "Førde",
];

const SUFFIXES: [&str; 6] = ["AS", "ASA", "", "Norge AS", "& Co AS", "SA"];

const COMMENTS_WELCOME: [[&str; 4]; 3] = [
    [
        "Velkomsten var varm og personlig, og jeg ble møtt med både firmanavn og navnet til kundebehandleren.",
        "Hyggelig og imøtekommende start. Hun spurte med en gang hva hun kunne hjelpe meg med.",
        "Svært god velkomst – rolig tonefall og tydelig presentasjon.",
        "Jeg følte meg velkommen fra første setning. Tastemenyen var enkel å komme gjennom.",
    ],
    [
        "Grei velkomst, men litt rutinepreget. Han sa bare fornavnet sitt.",
        "Helt OK start på samtalen, men jeg måtte gjenta hva saken gjaldt.",
        "Velkomsten var høflig, men noe mekanisk. Tastemenyen hadde mange valg.",
        "Standard åpning uten særlig engasjement, men korrekt.",
    ],
    [
        "Kort og kjølig velkomst. Ingen presentasjon av navn eller firma.",
        "Jeg ble satt over to ganger før jeg kom til riktig person.",
        "Svaret startet med en lang standardtekst før noen faktisk skrev til meg.",
        "Velkomsten virket stresset, og jeg fikk inntrykk av at jeg forstyrret.",
    ],
];

const COMMENTS_AGENT: [[&str; 4]; 3] = [
    [
        "Kundebehandleren stilte gode spørsmål om behovet mitt og brukte svarene mine videre i samtalen.",
        "Meget kunnskapsrik. Jeg fikk forklart forskjellen på to alternativer og en tydelig anbefaling.",
        "Hun lyttet godt, oppsummerte saken og foreslo en løsning som passet for meg.",
        "Engasjert og løsningsorientert. Fikk også tips om appen og hvordan jeg kan klare meg selv neste gang.",
    ],
    [
        "Jeg fikk svar på det jeg spurte om, men ingen oppfølgingsspørsmål om behovet mitt.",
        "Kundebehandleren var vennlig, men måtte sjekke med en kollega flere ganger.",
        "Svarene var korrekte, men lite tilpasset min situasjon.",
        "Greit svar, men jeg måtte selv spørre om neste steg.",
    ],
    [
        "Jeg fikk ikke svar på alle spørsmålene mine og ble bedt om å lese på nettsiden.",
        "Lite engasjement. Det virket som kundebehandleren ville avslutte så fort som mulig.",
        "Svaret på e-posten var en standardtekst som ikke handlet om spørsmålet mitt.",
        "Kundebehandleren avbrøt meg flere ganger og ga et svar som ikke stemte med nettsiden.",
    ],
];

const COMMENTS_OVERALL: [[&str; 4]; 3] = [
    [
        "En svært god opplevelse. Ville absolutt handlet her basert på denne dialogen.",
        "Effektivt og hyggelig – mye innhold på kort tid.",
        "Totalinntrykket er meget godt. Jeg satt igjen med alt jeg trengte for å ta en beslutning.",
        "Profesjonelt fra start til slutt, og avslutningen var tydelig.",
    ],
    [
        "Helt grei opplevelse, men ikke noe som skilte seg ut.",
        "Jeg fikk hjelp, men det tok lengre tid enn nødvendig.",
        "Middels inntrykk: korrekt, men uten engasjement.",
        "Greit nok, men jeg ble ikke overbevist om å bli kunde.",
    ],
    [
        "Skuffende. Jeg ville ikke valgt dette selskapet basert på denne opplevelsen.",
        "Dialogen var lite effektiv, og jeg måtte ta kontakt på nytt.",
        "Jeg satt igjen med flere spørsmål enn da jeg tok kontakt.",
        "Totalinntrykket trekkes ned av lang ventetid og et mangelfullt svar.",
    ],
];

const NO_ANSWER: [&str; 3] = [
    "Ingen svar innen fristen.",
    "Ventet hele fristen uten å få svar. Prøvde igjen senere samme uke uten hell.",
    "Henvendelsen ble ikke besvart innen fristen – bare en automatisk bekreftelse.",
];

struct Company {
    id: String,
    name: String,
    class: usize,
    public: bool,
    channels: Vec<&'static str>,
    quality: f64,
    speed: f64,
    inquiries: usize,
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// One inquiry's answer quality, 0 to 1, around the company's level.
fn level(rng: &mut Rng, quality: f64) -> f64 {
    (quality + 0.15 * rng.normal()).clamp(0.0, 1.0)
}

/// A value on [lo, hi] around a quality level.
fn scale_value(rng: &mut Rng, q: f64, lo: i64, hi: i64) -> i64 {
    let x = q * (hi - lo) as f64 + 0.7 * rng.normal();
    (x.round() as i64 + lo).clamp(lo, hi)
}

/// A random working-hours send time on a day of the season.
fn send_time(rng: &mut Rng, start: NaiveDate, days: i64, weekends: bool) -> NaiveDateTime {
    loop {
        let day = start + Duration::days(rng.below(days as usize) as i64);
        if !weekends && matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        let minute = if weekends && rng.chance(0.3) {
            rng.below(24 * 60)
        } else {
            8 * 60 + rng.below(8 * 60)
        };
        let second = rng.below(60);
        return day
            .and_hms_opt((minute / 60) as u32, (minute % 60) as u32, second as u32)
            .expect("valid time");
    }
}

/// The participants and responses files of a generated season, as CSV text.
pub fn generate(spec: &Spec) -> (String, String) {
    let mut rng = Rng::new(spec.seed);
    let classes = match spec.classes {
        0 => CLASSES.len(),
        n => n.min(CLASSES.len()),
    };
    let mut companies = companies(spec.participants.max(1), classes, &mut rng);
    share_inquiries(&mut companies, spec.inquiries, &mut rng);
    let mut participants = String::from("participant_id,name,class,sector,channels\n");
    for c in &companies {
        let _ = writeln!(
            participants,
            "{},{},{},{},{}",
            c.id,
            csv_field(&c.name),
            csv_field(CLASSES[c.class].0),
            if c.public { "public" } else { "private" },
            c.channels.join("|")
        );
    }
    let mut responses = String::from(RESPONSES_HEADER);
    let season = Inquiries::new(spec.year);
    let mut inquiry = 0;
    for c in &companies {
        for _ in 0..c.inquiries {
            inquiry += 1;
            responses.push_str(&season.row(c, inquiry, &mut rng).join(","));
            responses.push('\n');
        }
    }
    (participants, responses)
}

const RESPONSES_HEADER: &str = "inquiry_id,participant_id,shopper_id,channel,attempts,sent_at,answered_at,ended_at,\
welcome_personal,easy_contact,ivr_easy,name_used,agent_questions,agent_listened,agent_engaged,agent_solution,\
agent_all_answers,agent_extra_info,agent_next_step,overall_efficient,overall_grade,overall_impression,would_buy,\
csat,ces,nps,ves1,ves2,call_back,referred,chat_handler,comment_welcome,comment_agent,comment_overall\n";

/// `n` companies. The first classes fill up first so every class gets at least a few
/// participants; the last participant, one of the few below min_inquiries, is a
/// municipality, so the season has a public-sector participant that is not ranked.
fn companies(n: usize, classes: usize, rng: &mut Rng) -> Vec<Company> {
    let mut names = std::collections::BTreeSet::new();
    (0..n)
        .map(|i| {
            let class = if i + 1 == n && n >= 10 {
                CLASSES.len() - 1
            } else if i < classes * 3 {
                i % classes
            } else {
                rng.below(classes)
            };
            let (_, public) = CLASSES[class];
            let name = company_name(rng, class, public, &mut names);
            let channels = company_channels(rng);
            Company {
                id: format!("P{:03}", i + 1),
                name,
                class,
                public,
                channels,
                quality: (0.68 + 0.11 * rng.normal()).clamp(0.25, 0.97),
                speed: (0.8 + 0.15 * rng.normal()).clamp(0.3, 1.0),
                inquiries: 0,
            }
        })
        .collect()
}

/// A name not in `names` yet (then added): a municipality, an agency or a company.
fn company_name(
    rng: &mut Rng,
    class: usize,
    public: bool,
    names: &mut std::collections::BTreeSet<String>,
) -> String {
    let mut attempts = 0usize;
    loop {
        let prefix = rng.pick(&PREFIXES);
        let candidate = if public && class == CLASSES.len() - 1 {
            format!(
                "{}{} kommune",
                prefix,
                rng.pick(&["dal", "vik", "nes", "fjord", "haug", "ås"])
            )
        } else if public {
            format!(
                "{}{}",
                prefix,
                rng.pick(&["etaten", "direktoratet", " Helse HF", "kassen"])
            )
        } else {
            let suffix = rng.pick(&SUFFIXES);
            format!("{}{} {}", prefix, NOUNS[class].to_lowercase(), suffix)
                .trim()
                .to_string()
        };
        let mut chars = candidate.chars();
        let candidate = chars
            .next()
            .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
            .unwrap_or_default();
        // Large benchmark seasons run out of combinations: add a town, then a number.
        let candidate = match attempts {
            0..8 => candidate,
            8..16 => format!("{candidate} {}", rng.pick(&TOWNS)),
            _ => format!("{candidate} {}", attempts),
        };
        attempts += 1;
        if names.insert(candidate.clone()) {
            return candidate;
        }
    }
}

/// Phone for nearly everyone, the other channels for some.
fn company_channels(rng: &mut Rng) -> Vec<&'static str> {
    let mut channels = vec!["phone"];
    for (channel, p) in [("email", 0.85), ("chat", 0.55), ("messenger", 0.3)] {
        if rng.chance(p) {
            channels.push(channel);
        }
    }
    if rng.chance(0.05) {
        channels.retain(|c| *c != "phone");
        if channels.is_empty() {
            channels.push("email");
        }
    }
    channels
}

/// A few late joiners get fewer inquiries than min_inquiries; the rest share the remainder.
fn share_inquiries(companies: &mut [Company], total: usize, rng: &mut Rng) {
    let n = companies.len();
    let short = (n / 60).max(if n >= 10 { 2 } else { 0 });
    let mut remaining = total;
    for c in companies.iter_mut().rev().take(short) {
        c.inquiries = (12 + rng.below(7)).min(remaining);
        remaining -= c.inquiries;
    }
    let full = n - short;
    for (i, c) in companies.iter_mut().take(full).enumerate() {
        c.inquiries = remaining / full + usize::from(i < remaining % full);
    }
}

/// The season's inquiries: when they may be sent, and the calendar their waits run on.
struct Inquiries {
    start: NaiveDate,
    days: i64,
    calendar: Calendar,
}

const OSLO: chrono_tz::Tz = chrono_tz::Europe::Oslo;

/// Local time as the responses file writes it.
fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&OSLO)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

impl Inquiries {
    fn new(year: i32) -> Inquiries {
        Inquiries {
            start: NaiveDate::from_ymd_opt(year, 1, 10).expect("valid date"),
            days: 116, // about four months, into early May
            calendar: Calendar::new(OSLO, Default::default()),
        }
    }

    /// One inquiry to `c`: when, on which channel, how long it waited, and the shopper's
    /// answers and comments.
    fn row(&self, c: &Company, inquiry: usize, rng: &mut Rng) -> Vec<String> {
        let channel = pick_channel(c, rng);
        let email = channel == "email";
        let sent_local = send_time(rng, self.start, self.days, email);
        // A night-time e-mail may fall in the spring-forward gap: move it an hour on.
        let sent = OSLO
            .from_local_datetime(&sent_local)
            .earliest()
            .or_else(|| {
                OSLO.from_local_datetime(&(sent_local + Duration::hours(1)))
                    .earliest()
            })
            .expect("an hour after a gap exists")
            .with_timezone(&Utc);
        let miss = rng.chance(0.06 * (1.6 - c.speed));
        let wait = wait_seconds(channel, c.speed, miss, rng);
        let answered = if email {
            self.answered_by_email(sent, wait, rng)
        } else {
            sent + Duration::seconds(wait)
        };
        let no_answer = miss && rng.chance(0.6);
        let over_limit = miss && !no_answer;
        let attempts = if miss || rng.chance(0.04) { 2 } else { 1 };
        let ended = match channel {
            "email" => None,
            "phone" => Some(answered + Duration::seconds(120 + rng.below(660) as i64)),
            _ => Some(answered + Duration::seconds(240 + rng.below(1200) as i64)),
        };
        let mut row = vec![
            format!("I{inquiry:05}"),
            c.id.clone(),
            format!("S{:02}", 1 + rng.below(24)),
            channel.to_string(),
            attempts.to_string(),
            local(sent),
            if no_answer {
                String::new()
            } else {
                local(answered)
            },
            if !miss || over_limit {
                ended.map(local).unwrap_or_default()
            } else {
                String::new()
            },
        ];
        let q = level(rng, c.quality);
        if miss {
            row.extend(unanswered(channel, rng));
        } else {
            row.extend(answers(c, channel, q, rng));
        }
        row
    }

    /// When an e-mail is answered: that much business time after it was sent, moved to the
    /// next office hours, since people answer e-mail at work.
    fn answered_by_email(&self, sent: DateTime<Utc>, wait: i64, rng: &mut Rng) -> DateTime<Utc> {
        let mut t = sent;
        let mut left = wait;
        while left > 0 {
            let step = left.min(3600);
            let next = t + Duration::seconds(step);
            left -= self.calendar.business_seconds(t, next);
            t = next;
        }
        let at = t.with_timezone(&OSLO).naive_local();
        let morning = |day: NaiveDate, rng: &mut Rng| {
            let time = day
                .and_hms_opt(8, rng.below(60) as u32, rng.below(60) as u32)
                .expect("valid time");
            OSLO.from_local_datetime(&time)
                .earliest()
                .expect("08:00 exists")
                .with_timezone(&Utc)
        };
        match at.hour() {
            0..8 => morning(at.date(), rng),
            17.. => morning(at.date() + Duration::days(1), rng),
            _ => t,
        }
    }
}

/// One of the company's channels, phone the likeliest.
fn pick_channel(c: &Company, rng: &mut Rng) -> &'static str {
    let weights: Vec<f64> = c
        .channels
        .iter()
        .map(|ch| match *ch {
            "phone" => 0.45,
            "email" => 0.25,
            "chat" => 0.2,
            _ => 0.1,
        })
        .collect();
    let total: f64 = weights.iter().sum();
    let mut x = rng.f64() * total;
    for (ch, w) in c.channels.iter().zip(&weights) {
        if x < *w {
            return ch;
        }
        x -= w;
    }
    c.channels[0]
}

/// Waits: phone and chat mostly within a minute, Messenger within minutes, e-mail in
/// business hours to days; a missed inquiry waits past its limit.
fn wait_seconds(channel: &str, speed: f64, miss: bool, rng: &mut Rng) -> i64 {
    match channel {
        "phone" | "chat" => {
            let base = (35.0 * (1.0 / speed) * (0.9 * rng.normal()).exp()) as i64 + 5;
            if miss {
                300 + rng.below(400) as i64
            } else {
                base.min(295)
            }
        }
        "messenger" => {
            let base = (240.0 / speed * (rng.normal()).exp()) as i64 + 20;
            if miss {
                1800 + rng.below(3600) as i64
            } else {
                base.min(1790)
            }
        }
        _ => {
            let hours = 6.0 / speed * (0.9 * rng.normal()).exp();
            if miss {
                80 * 3600 + rng.below(48 * 3600) as i64
            } else {
                ((hours * 3600.0) as i64).min(70 * 3600)
            }
        }
    }
}

/// The answers of an answered inquiry at quality `q`, and its three comments.
fn answers(c: &Company, channel: &str, q: f64, rng: &mut Rng) -> Vec<String> {
    let v = |rng: &mut Rng, lo, hi| scale_value(rng, q, lo, hi).to_string();
    let pick3 = |q: f64, hi: f64, lo: f64, words: [&str; 3]| {
        (if q > hi {
            words[0]
        } else if q > lo {
            words[1]
        } else {
            words[2]
        })
        .to_string()
    };
    let yes = |b: bool| if b { "ja" } else { "nei" }.to_string();
    let mut row = vec![v(rng, 1, 5), v(rng, 1, 5)]; // welcome_personal, easy_contact
    row.push(if channel == "phone" && c.speed < 0.9 {
        v(rng, 1, 5)
    } else {
        String::new()
    }); // ivr_easy
    row.push(pick3(q, 0.75, 0.45, ["both", "one", "none"]));
    for _ in 0..4 {
        row.push(v(rng, 1, 5));
    }
    row.push(yes(q > 0.4));
    row.push(yes(q > 0.6));
    row.push(pick3(q, 0.7, 0.4, ["clear", "partly", "none"]));
    row.extend([v(rng, 1, 5), v(rng, 1, 5), v(rng, 1, 5)]); // overall_efficient, _grade, _impression
    row.push(if c.public {
        String::new()
    } else {
        yes(q > 0.5)
    });
    row.extend([
        v(rng, 1, 5),
        v(rng, 1, 7),
        v(rng, 0, 10),
        v(rng, 1, 7),
        v(rng, 1, 7),
    ]); // csat, ces, nps, ves1, ves2
    row.push(if channel == "phone" {
        yes(q < 0.5)
    } else {
        String::new()
    });
    row.push(["web", "store", "app", "none"][if q > 0.7 { 0 } else { rng.below(4) }].to_string());
    row.push(if channel == "chat" {
        ["human", "chatbot", "chatbot_then_human"][rng.below(3)].to_string()
    } else {
        String::new()
    });
    let tier = if q > 0.72 {
        0
    } else if q > 0.45 {
        1
    } else {
        2
    };
    row.push(csv_field(rng.pick::<&str>(&COMMENTS_WELCOME[tier])));
    row.push(csv_field(rng.pick::<&str>(&COMMENTS_AGENT[tier])));
    row.push(csv_field(rng.pick::<&str>(&COMMENTS_OVERALL[tier])));
    row
}

/// An unanswered inquiry: no answers, and the shopper's comments on the wait.
fn unanswered(channel: &str, rng: &mut Rng) -> Vec<String> {
    let mut row = vec![String::new(); 23];
    let waited = if channel == "email" {
        "Ventet i tre virkedager."
    } else {
        "Ventet hele fristen i kø."
    };
    row.push(csv_field(waited));
    row.push(csv_field(rng.pick::<&str>(&NO_ANSWER)));
    row.push(csv_field(
        "Fikk ikke vurdert dialogen fordi henvendelsen ikke ble besvart.",
    ));
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_and_published_size() {
        let spec = Spec::season_2022();
        let (p1, r1) = generate(&spec);
        let (p2, r2) = generate(&spec);
        assert_eq!(p1, p2);
        assert_eq!(r1, r2);
        assert_eq!(p1.lines().count(), 1 + 188);
        let mut reader = csv::Reader::from_reader(r1.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 4700);
        let comments: usize = rows
            .iter()
            .map(|r| (31..34).filter(|&c| !r[c].is_empty()).count())
            .sum();
        assert_eq!(comments, 14_100);
    }

    #[test]
    fn the_bundled_season_is_what_the_generator_makes() {
        let (participants, responses) = generate(&Spec::season_2022());
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/ksp-2022");
        let read = |name: &str| std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
        assert!(
            participants == read("participants.csv"),
            "participants.csv differs"
        );
        assert!(responses == read("responses.csv"), "responses.csv differs");
    }
}
