#!/usr/bin/env python3
"""Writes testdata/strange/: a small season whose names and comments hold what people really
type: emoji (skin tones, flags, ZWJ families), every script a Norwegian organiser meets, long
runs without spaces, a 20,000-character comment, control characters pasted from other systems
and a code point no font has. tests/cli/reports.rs checks that every report renders, that pdftotext
gives every text back, and that no word lies outside the page.

    python3 tools/generate_strange_texts.py   # from the repository root
"""
import csv
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "testdata", "strange")

PARTICIPANTS = [
    ("E", "Smilefjes 😊 Kundeservice AS 👨‍👩‍👧", "Butikk 🛍️", "private"),
    ("A", "شركة خدمة العملاء", "Butikk 🛍️", "private"),
    ("Z", "客户服务有限公司 カスタマー 고객센터", "Butikk 🛍️", "private"),
    ("W", "Det Særdeles Langvarige Og Grundig Navngitte Norske Aksjeselskapet For Kundeservice "
          "Og Kundeopplevelser I Hele Landet Fra Nordkapp Til Lindesnes "
          "Kundeservicemedarbeiderforeningsadministrasjonssekretariatet AS", "Bank og forsikring", "private"),
    ("C", "Kontroll\u0007tegn\u0001 AS", "Bank og forsikring", "public"),
    ("S", "Sámi Bálvalus – Ǩiõll da ǥiella", "Bank og forsikring", "private"),
]

LONG_WORDS = ("Jeg skrev til kundeservice om fakturaen og fikk et svar som var vennlig, "
              "men det tok lang tid før noen tok tak i saken. ")
LONG = "".join(f"{LONG_WORDS}(avsnitt {i}) " for i in range(1, 200))[:19950] + " (slutt på den lange kommentaren)"

COMMENTS = {
    "E": [
        "God tone fra første sekund 😊 👍🏽 👍🏿 🇳🇴 🇸🇪 👨‍👩‍👧 🏴󠁧󠁢󠁳󠁣󠁴󠁿 ❤️ 🤖",
        "Se https://www.eksempel.no/kundeservice/henvendelser/2022/03/svar?id=1234567890123456789012345&ref=abcdefghijklmnopqrstuvwxyz for saken",
        "Kontonummer 12345678901234567890123456789012345678901234567890123456789012345678901234567890 ble lest opp",
        "Skriv til kundeservice.avdeling.nord.og.sor@eksempelbedriftenmedlangtnavn.no om saken",
        "Uten mellomrom: " + "abcdefghij" * 40,
        LONG,
    ],
    "A": [
        "مرحبا بكم في خدمة العملاء، شكرا جزيلا",
        "שלום, השירות היה מצוין",
        "Norsk først, så arabisk: خدمة ممتازة, og hebraisk: תודה רבה",
    ],
    "Z": [
        "客户服务很好，回答很快。",
        "カスタマーサービスはとても良かったです。",
        "고객 서비스가 훌륭했습니다.",
    ],
    "W": [
        "Καλημέρα, η εξυπηρέτηση ήταν καλή. Здравствуйте, всё было хорошо.",
        "Symboler: ✓ → ½ ™ ≥ ≤ € ✔ ★ ☺ • … ‰ ∞ og matematikk: 𝐀𝐁𝐂 𝒜 𝔄 𝕬 ℝ ℕ",
        "Tigrinja ሰላም, thai สวัสดี, hindi नमस्ते, tamil வணக்கம், vietnamesisk Xin chào, polsk Dzień dobry",
    ],
    "C": [
        "Limt inn fra et annet system:\u0007 ring\u0001 tilbake\u0085 i morgen",
        "Et tegn ingen skrift har: \U0010fffd og et ikke-tegn: \uffff slutt",
    ],
    "S": [
        "Sámegiella: áčđŋšŧž ÁČĐŊŠŦŽ, skoltesamisk ʹǥǧǩǯʒ ǤǦǨǮƷ, sørsamisk ïöæøå",
    ],
}


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "participants.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["participant_id", "name", "class", "sector", "channels"])
        for pid, name, klass, sector in PARTICIPANTS:
            w.writerow([pid, name, klass, sector, "phone|email"])
    with open(os.path.join(OUT, "responses.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["inquiry_id", "participant_id", "shopper_id", "channel", "attempts", "sent_at",
                    "answered_at", "ended_at", "listened", "answers", "would_buy", "grade", "nps",
                    "comment_agent"])
        n = 0
        for p, (pid, *_rest) in enumerate(PARTICIPANTS):
            comments = COMMENTS[pid]
            for i in range(max(4, len(comments))):
                n += 1
                day = 1 + (n % 27)
                channel = "phone" if i % 2 == 0 else "email"
                answered = f"2022-03-{day:02d} 10:0{1 + (p + i) % 4}:00" if channel == "phone" else f"2022-03-{day:02d} 13:00:00"
                comment = comments[i] if i < len(comments) else ""
                w.writerow([f"{pid}{i + 1:02d}", pid, f"S{1 + n % 3}", channel, 1,
                            f"2022-03-{day:02d} 10:00:00", answered, "",
                            1 + (p + i) % 5, "ja" if (p + i) % 3 else "nei",
                            "" if pid == "C" else ("ja" if i % 2 else "nei"),
                            1 + (p * 2 + i) % 5, (p + i * 3) % 11, comment])


if __name__ == "__main__":
    main()
