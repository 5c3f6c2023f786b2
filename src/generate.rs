//! A deterministic generator of synthetic mystery-shopper seasons in the shape of the bundled
//! config (`config/ksp-2022.toml`): Norwegian companies, comments and believable waits. The
//! same seed always gives the same bytes; it makes the bundled season and benchmark seasons.

use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc, Weekday};

use crate::calendar::Calendar;

/// SplitMix64: small, fast and stable across platforms and versions.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.f64() * n as f64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Standard normal, Box–Muller.
    pub fn normal(&mut self) -> f64 {
        let u = self.f64().max(1e-12);
        let v = self.f64();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub participants: usize,
    /// Inquiries in all; spread about evenly, a few participants below 20.
    pub inquiries: usize,
    pub seed: u64,
    pub year: i32,
}

impl Spec {
    /// The published size of the 2022 season: 188 participants, 4,700 inquiries.
    pub fn season_2022() -> Spec {
        Spec {
            participants: 188,
            inquiries: 4700,
            seed: 2022,
            year: 2022,
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
    let oslo = chrono_tz::Europe::Oslo;
    let calendar = Calendar::new(oslo, Default::default());
    let n = spec.participants.max(1);
    let mut companies: Vec<Company> = Vec::with_capacity(n);
    let mut names = std::collections::BTreeSet::new();
    for i in 0..n {
        // The first classes fill up first so every class gets at least a few participants.
        // The last participant, one of the few below min_inquiries, is a municipality, so the
        // season has a public-sector participant that is not ranked.
        let class = if i + 1 == n && n >= 10 {
            CLASSES.len() - 1
        } else if i < CLASSES.len() * 3 {
            i % CLASSES.len()
        } else {
            rng.below(CLASSES.len())
        };
        let (_, public) = CLASSES[class];
        let mut attempts = 0usize;
        let name = loop {
            let prefix = rng.pick(&PREFIXES);
            let candidate = if public {
                if class == CLASSES.len() - 1 {
                    format!(
                        "{}{} kommune",
                        prefix,
                        rng.pick(&["dal", "vik", "nes", "fjord", "haug", "ås"])
                    )
                } else {
                    format!(
                        "{}{}",
                        prefix,
                        rng.pick(&["etaten", "direktoratet", " Helse HF", "kassen"])
                    )
                }
            } else {
                let suffix = rng.pick(&SUFFIXES);
                format!("{}{} {}", prefix, NOUNS[class].to_lowercase(), suffix)
                    .trim()
                    .to_string()
            };
            let candidate = {
                let mut chars = candidate.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                    .unwrap_or_default()
            };
            // Large benchmark seasons run out of combinations: add a town, then a number.
            let candidate = match attempts {
                0..8 => candidate,
                8..16 => format!("{candidate} {}", rng.pick(&TOWNS)),
                _ => format!("{candidate} {}", attempts),
            };
            attempts += 1;
            if names.insert(candidate.clone()) {
                break candidate;
            }
        };
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
        companies.push(Company {
            id: format!("P{:03}", i + 1),
            name,
            class,
            public,
            channels,
            quality: (0.68 + 0.11 * rng.normal()).clamp(0.25, 0.97),
            speed: (0.8 + 0.15 * rng.normal()).clamp(0.3, 1.0),
            inquiries: 0,
        });
    }
    // A few late joiners get fewer inquiries than min_inquiries; the rest share the remainder.
    let short = (n / 60).max(if n >= 10 { 2 } else { 0 });
    let mut remaining = spec.inquiries;
    for c in companies.iter_mut().rev().take(short) {
        c.inquiries = (12 + rng.below(7)).min(remaining);
        remaining -= c.inquiries;
    }
    let full = n - short;
    for (i, c) in companies.iter_mut().take(full).enumerate() {
        c.inquiries = remaining / full + usize::from(i < remaining % full);
    }

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

    let start = NaiveDate::from_ymd_opt(spec.year, 1, 10).expect("valid date");
    let days = 116; // about four months, into early May
    let mut responses = String::from(
        "inquiry_id,participant_id,shopper_id,channel,attempts,sent_at,answered_at,ended_at,\
welcome_personal,easy_contact,ivr_easy,name_used,agent_questions,agent_listened,agent_engaged,agent_solution,\
agent_all_answers,agent_extra_info,agent_next_step,overall_efficient,overall_grade,overall_impression,would_buy,\
csat,ces,nps,ves1,ves2,call_back,referred,chat_handler,comment_welcome,comment_agent,comment_overall\n",
    );
    let mut inquiry = 0;
    for c in &companies {
        for _ in 0..c.inquiries {
            inquiry += 1;
            let channel = {
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
                let mut pick = c.channels[0];
                for (ch, w) in c.channels.iter().zip(&weights) {
                    if x < *w {
                        pick = ch;
                        break;
                    }
                    x -= w;
                }
                pick
            };
            let email = channel == "email";
            let sent_local = send_time(&mut rng, start, days, email);
            // A night-time e-mail may fall in the spring-forward gap: move it an hour on.
            let sent = oslo
                .from_local_datetime(&sent_local)
                .earliest()
                .or_else(|| {
                    oslo.from_local_datetime(&(sent_local + Duration::hours(1)))
                        .earliest()
                })
                .expect("an hour after a gap exists")
                .with_timezone(&Utc);
            // Waits: phone and chat mostly within a minute; e-mail in business hours to days.
            let miss = rng.chance(0.06 * (1.6 - c.speed));
            let wait_seconds: i64 = match channel {
                "phone" | "chat" => {
                    let base = (35.0 * (1.0 / c.speed) * (0.9 * rng.normal()).exp()) as i64 + 5;
                    if miss {
                        300 + rng.below(400) as i64
                    } else {
                        base.min(295)
                    }
                }
                "messenger" => {
                    let base = (240.0 / c.speed * (rng.normal()).exp()) as i64 + 20;
                    if miss {
                        1800 + rng.below(3600) as i64
                    } else {
                        base.min(1790)
                    }
                }
                _ => {
                    let hours = 6.0 / c.speed * (0.9 * rng.normal()).exp();
                    if miss {
                        80 * 3600 + rng.below(48 * 3600) as i64
                    } else {
                        ((hours * 3600.0) as i64).min(70 * 3600)
                    }
                }
            };
            // E-mail waits are in business time: walk the calendar until that much has passed.
            let answered = if email {
                let mut t = sent;
                let mut left = wait_seconds;
                while left > 0 {
                    let step = left.min(3600);
                    let next = t + Duration::seconds(step);
                    left -= calendar.business_seconds(t, next);
                    t = next;
                }
                // People answer e-mail in office hours.
                let local = t.with_timezone(&oslo).naive_local();
                let morning = |day: NaiveDate, rng: &mut Rng| {
                    let time = day
                        .and_hms_opt(8, rng.below(60) as u32, rng.below(60) as u32)
                        .expect("valid time");
                    oslo.from_local_datetime(&time)
                        .earliest()
                        .expect("08:00 exists")
                        .with_timezone(&Utc)
                };
                match local.hour() {
                    0..8 => morning(local.date(), &mut rng),
                    17.. => morning(local.date() + Duration::days(1), &mut rng),
                    _ => t,
                }
            } else {
                sent + Duration::seconds(wait_seconds)
            };
            let no_answer = miss && rng.chance(0.6);
            let over_limit = miss && !no_answer;
            let is_answered = !miss;
            let attempts = if miss || rng.chance(0.04) { 2 } else { 1 };
            let ended = match channel {
                "email" => None,
                "phone" => Some(answered + Duration::seconds(120 + rng.below(660) as i64)),
                _ => Some(answered + Duration::seconds(240 + rng.below(1200) as i64)),
            };
            let fmt = |t: chrono::DateTime<Utc>| {
                t.with_timezone(&oslo)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()
            };
            let mut row = vec![
                format!("I{inquiry:05}"),
                c.id.clone(),
                format!("S{:02}", 1 + rng.below(24)),
                channel.to_string(),
                attempts.to_string(),
                fmt(sent),
                if no_answer {
                    String::new()
                } else {
                    fmt(answered)
                },
                if is_answered || over_limit {
                    ended.map(fmt).unwrap_or_default()
                } else {
                    String::new()
                },
            ];
            let q = level(&mut rng, c.quality);
            let v = |rng: &mut Rng, lo, hi| scale_value(rng, q, lo, hi).to_string();
            if is_answered {
                row.push(v(&mut rng, 1, 5)); // welcome_personal
                row.push(v(&mut rng, 1, 5)); // easy_contact
                row.push(if channel == "phone" && c.speed < 0.9 {
                    v(&mut rng, 1, 5)
                } else {
                    String::new()
                }); // ivr_easy
                row.push(
                    if q > 0.75 {
                        "both"
                    } else if q > 0.45 {
                        "one"
                    } else {
                        "none"
                    }
                    .to_string(),
                );
                for _ in 0..4 {
                    row.push(v(&mut rng, 1, 5));
                }
                row.push(if q > 0.4 { "ja" } else { "nei" }.to_string());
                row.push(if q > 0.6 { "ja" } else { "nei" }.to_string());
                row.push(
                    if q > 0.7 {
                        "clear"
                    } else if q > 0.4 {
                        "partly"
                    } else {
                        "none"
                    }
                    .to_string(),
                );
                row.push(v(&mut rng, 1, 5)); // overall_efficient
                row.push(v(&mut rng, 1, 5)); // overall_grade
                row.push(v(&mut rng, 1, 5)); // overall_impression
                row.push(if c.public {
                    String::new()
                } else if q > 0.5 {
                    "ja".into()
                } else {
                    "nei".into()
                });
                row.push(v(&mut rng, 1, 5)); // csat
                row.push(v(&mut rng, 1, 7)); // ces
                row.push(v(&mut rng, 0, 10)); // nps
                row.push(v(&mut rng, 1, 7)); // ves1
                row.push(v(&mut rng, 1, 7)); // ves2
                row.push(if channel == "phone" {
                    if q < 0.5 { "ja" } else { "nei" }.to_string()
                } else {
                    String::new()
                });
                row.push(
                    ["web", "store", "app", "none"][if q > 0.7 { 0 } else { rng.below(4) }]
                        .to_string(),
                );
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
                row.push(csv_field(*rng.pick(&COMMENTS_WELCOME[tier])));
                row.push(csv_field(*rng.pick(&COMMENTS_AGENT[tier])));
                row.push(csv_field(*rng.pick(&COMMENTS_OVERALL[tier])));
            } else {
                row.extend(std::iter::repeat_n(String::new(), 23));
                let waited = if channel == "email" {
                    "Ventet i tre virkedager."
                } else {
                    "Ventet hele fristen i kø."
                };
                row.push(csv_field(waited));
                row.push(csv_field(*rng.pick(&NO_ANSWER)));
                row.push(csv_field(
                    "Fikk ikke vurdert dialogen fordi henvendelsen ikke ble besvart.",
                ));
            }
            responses.push_str(&row.join(","));
            responses.push('\n');
        }
    }
    (participants, responses)
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
}
