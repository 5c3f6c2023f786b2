#!/usr/bin/env python3
"""Generates a synthetic panel-index season (KSIndeks style) for ksp: real customers from a web
panel rate the customer centre they contacted in the last 14 days.

    python3 tools/generate_panel.py 2013 testdata/panel-2013
    python3 tools/generate_panel.py 2012 testdata/panel-2012

The same year always gives the same bytes (a fixed seed per year). About 20,000 interviews
over 80 companies in 10 industries; a few companies stay below the 50 respondents a ranking
needs. Channel use shifts from the phone towards e-mail and chat from 2012 to 2013, as the
published 2013 results describe.
"""

import datetime
import math
import random
import sys
from pathlib import Path

from season_csv import write_csv

INDUSTRIES = {
    "Bank": ["Fjordbanken", "Nordlys Sparebank", "Vestkyst Bank", "Kvartalsbanken", "Bryggen Sparebank",
             "Tinde Bank", "Midtnorsk Sparebank", "Finansfabrikken"],
    "Forsikring": ["Trygghet Forsikring", "Skjold & Co Forsikring", "Varde Forsikring", "Havn Forsikring",
                   "Norrøn Skadeforsikring", "Ankerfeste Forsikring", "Lune Livsforsikring", "Dekning AS"],
    "Telekom": ["Signalnett", "Fjellmobil", "Kystlinje Telekom", "Bølge Mobil", "Tale & Data", "Sambandet",
                "Nettverket AS", "Ringetone"],
    "TV og bredbånd": ["Kabelhuset", "Fiberlyn", "Antenne Norge", "Strømme TV", "Glimt Bredbånd",
                       "Luftnett", "Skjermen AS", "Bredt & Raskt"],
    "Strøm": ["Fossekraft", "Nordavind Energi", "Vannkraft Vest", "Lysende Strøm", "Elvekraft",
              "Solgløtt Energi", "Kraftverket Øst", "Lavspent AS"],
    "Netthandel": ["Handlekurven.no", "Pakkepost Shop", "Klikk & Hent", "Varehuset Online", "Bokhylla.no",
                   "Sportsboden Nett", "Teknikkbua", "Hjemmeleveransen"],
    "Reise": ["Fjordfly", "Nordekspressen", "Kystruta Reiser", "Sydenreiser AS", "Togbanen", "Bussruta",
              "Ferjefart", "Hotellkjeden Nord"],
    "Offentlig": ["Velferdsetaten", "Skatteetaten Region Vest", "Lånekassen Nord", "Trafikkstasjonen",
                  "Helseportalen", "Kommunetorget", "Tolletaten Øst", "Pensjonskontoret"],
    "Bil og verksted": ["Bilhuset Nord", "Verkstedkjeden", "Dekkhotellet", "Bilmerket Import",
                        "Leiebilen AS", "Bilpleie Vest", "Motorsenteret", "Lakk & Karosseri"],
    "Bolig og eiendom": ["Boligbyggelaget Fjord", "Eiendomsmegler Nord", "Utleiehuset", "Vaktmesterkjeden",
                         "Borettslagsservice", "Boligpartner", "Takst & Tilstand", "Nabolaget Forvaltning"],
}

CHANNELS = ["phone", "email", "chat", "web", "social"]
# Channel mix (published direction: the phone's share falls, e-mail and chat grow).
MIX = {
    2012: [0.70, 0.17, 0.04, 0.07, 0.02],
    2013: [0.61, 0.22, 0.08, 0.06, 0.03],
}
CHANNEL_EFFECT = {"phone": 0.0, "email": -0.45, "chat": 0.45, "web": -0.2, "social": -0.35}
TYPES = ["info", "order", "change", "support", "invoice", "complaint", "cancel"]
TYPE_WEIGHTS = [0.22, 0.12, 0.18, 0.2, 0.12, 0.09, 0.07]
TYPE_EFFECT = {"info": 0.35, "order": 0.3, "change": 0.1, "support": -0.1, "invoice": -0.15,
               "complaint": -0.9, "cancel": -0.4}
CONTACTS = ["1", "2", "3", "4+"]
CONTACT_EFFECT = {"1": 0.45, "2": -0.45, "3": -1.1, "4+": -1.9}
ASPECTS = [
    ("r_overall", 0.0), ("r_menu", -0.7), ("r_response", -0.4), ("r_understanding", 0.3),
    ("r_information", 0.1), ("r_attitude", 0.5), ("r_length", -0.2), ("r_solution", -0.1),
    ("r_transfer", -0.5),
]
PREFERRED = ["phone", "email", "chat", "web", "social", "none"]

GOOD = [
    "Rask og hyggelig hjelp, saken ble løst med en gang.",
    "Kundebehandleren forsto hva jeg trengte og forklarte det godt.",
    "Veldig fornøyd. Fikk svar på alt uten å bli satt over.",
    "Kort ventetid og en løsning som fungerte.",
    "Hyggelig og kunnskapsrik medarbeider, takk for hjelpen!",
    "Enkelt å komme fram, og jeg slapp å forklare saken flere ganger.",
]
MIDDLE = [
    "Greit nok, men det tok litt tid før jeg fikk svar.",
    "Fikk hjelp, men måtte selv spørre om hva som skjer videre.",
    "Tastemenyen var forvirrende, men samtalen ble bra til slutt.",
    "Ok service, men svaret på e-posten var ganske standard.",
    "Saken ble løst, men jeg måtte ta kontakt to ganger.",
]
BAD = [
    "Ble satt over tre ganger og måtte forklare alt på nytt.",
    "Lang kø og ingen løsning. Må ringe igjen.",
    "Svaret på e-posten svarte ikke på spørsmålet mitt.",
    "Uhøflig behandling, og saken er fortsatt ikke løst.",
    "Lovte å ringe tilbake, men det skjedde aldri.",
]


def pick(rng, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def main():
    year = int(sys.argv[1])
    out = Path(sys.argv[2])
    rng = random.Random(20130000 + year)
    out.mkdir(parents=True, exist_ok=True)
    participants = []
    number = 0
    for industry, names in INDUSTRIES.items():
        for name in names:
            number += 1
            participants.append({
                "participant_id": f"K{number:03d}",
                "name": name,
                "class": industry,
                "sector": "public" if industry == "Offentlig" else "private",
                "channels": "|".join(CHANNELS),
            })
    # Company quality stays mostly the same from year to year (a seed of its own), with drift.
    base_rng = random.Random(2013)
    quality = {p["participant_id"]: base_rng.gauss(0, 0.55) for p in participants}
    size = {p["participant_id"]: base_rng.lognormvariate(math.log(230), 0.55) for p in participants}
    small = set(base_rng.sample([p["participant_id"] for p in participants], 7))
    rows = []
    respondent = 0
    target = 20000 if year == 2013 else 18000
    scale = target / sum(size[p["participant_id"]] for p in participants if p["participant_id"] not in small)
    for p in participants:
        pid = p["participant_id"]
        q = quality[pid] + rng.gauss(0, 0.15)
        n = rng.randint(18, 49) if pid in small else max(55, round(size[pid] * scale))
        mix = [max(0.005, m * (1 + rng.gauss(0, 0.25))) for m in MIX[year]]
        for _ in range(n):
            respondent += 1
            business = rng.random() < (0.22 if p["sector"] == "private" else 0.05)
            channel = pick(rng, CHANNELS, [mix[0] * (1.6 if business else 1.0)] + mix[1:])
            kind = pick(rng, TYPES, TYPE_WEIGHTS)
            first = 0.6 + 0.08 * q - (0.08 if channel == "email" else 0) + (0.06 if channel == "chat" else 0)
            contacts = pick(rng, CONTACTS, [first, 0.62 * (1 - first), 0.25 * (1 - first), 0.13 * (1 - first)])
            level = 7.4 + q + CHANNEL_EFFECT[channel] + TYPE_EFFECT[kind] + CONTACT_EFFECT[contacts]
            person = rng.gauss(0, 0.8)
            ratings = {}
            for aspect, offset in ASPECTS:
                if aspect == "r_menu" and (channel != "phone" or rng.random() < 0.25):
                    ratings[aspect] = ""
                    continue
                if aspect == "r_transfer" and rng.random() > (0.35 if channel == "phone" else 0.12):
                    ratings[aspect] = ""
                    continue
                value = round(level + offset + person + rng.gauss(0, 0.9))
                ratings[aspect] = str(min(10, max(1, value)))
            overall = int(ratings["r_overall"])
            comment = ""
            if rng.random() < 0.3:
                comment = rng.choice(GOOD if overall >= 8 else MIDDLE if overall >= 5 else BAD)
            day = rng.randrange(365)
            month_day = datetime.date(year, 1, 1) + datetime.timedelta(days=day)
            hour = rng.randint(8, 21)
            minute = rng.randint(0, 59)
            preferred = pick(rng, PREFERRED, [0.42, 0.27, 0.13, 0.08, 0.03, 0.07] if year == 2013
                             else [0.5, 0.24, 0.09, 0.07, 0.02, 0.08])
            rows.append({
                "inquiry_id": f"I{year}-{len(rows) + 1:05d}",
                "participant_id": pid,
                "shopper_id": f"R{year % 100:02d}{respondent:05d}",
                "channel": channel,
                "sent_at": f"{month_day.isoformat()} {hour:02d}:{minute:02d}",
                "answered_at": "",
                "inquiry_type": kind,
                "customer_type": "business" if business else "private",
                "location": pick(rng, ["home", "work", "away"], [0.52, 0.33, 0.15]),
                "contacts": contacts,
                **ratings,
                "preferred": preferred,
                "comment_feedback": comment,
            })
    write_csv(out / "participants.csv", participants)
    write_csv(out / "responses.csv", rows)
    print(f"{out}: {len(participants)} companies, {len(rows)} interviews")


if __name__ == "__main__":
    main()
