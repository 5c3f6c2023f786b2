#!/usr/bin/env python3
"""Generates a synthetic channel study for ksp: one web shop's chats over 40 business days,
with measured wait and handling times, the agent's assessment of some chats and a short
questionnaire answered by some customers.

    python3 tools/generate_chat_study.py testdata/chat-study

The same call always gives the same bytes. Customers who waited up to about a minute mostly
found the wait short, and those whose chat took up to about twelve minutes mostly found the
handling quick, so the threshold analysis has something to find.
"""

import datetime
import math
import random
import sys
from pathlib import Path

from season_csv import write_csv

TOPICS = ["product_info", "choose_product", "in_stock", "order_status", "price", "delivery", "other"]
TOPIC_WEIGHTS = [0.3, 0.15, 0.1, 0.15, 0.1, 0.1, 0.1]
COMMENTS_GOOD = [
    "Fikk svar med en gang, mye enklere enn å ringe.",
    "Hyggelig og rask hjelp til å velge riktig lader.",
    "Supert å kunne chatte mens jeg så på produktet.",
    "Kundebehandleren sendte lenke til riktig vare. Fornøyd!",
]
COMMENTS_BAD = [
    "Måtte vente lenge før noen svarte.",
    "Fikk ikke svar på om varen var på lager.",
    "Chatten ble brutt før jeg fikk svar.",
    "Tok lang tid, og svaret var det samme som på nettsiden.",
]


def business_days(start, count):
    day = start
    out = []
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day)
        day += datetime.timedelta(days=1)
    return out


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2025)
    days = business_days(datetime.date(2025, 2, 3), 40)
    rows = []
    for day in days:
        for _ in range(rng.randint(4, 11)):
            sent = datetime.datetime.combine(day, datetime.time(9)) + datetime.timedelta(
                seconds=rng.randrange(8 * 3600))
            wait = round(rng.lognormvariate(math.log(38), 0.85))
            abandoned = rng.random() < 0.07 or wait > 1800
            handling = round(rng.lognormvariate(math.log(480), 0.6))
            row = {
                "inquiry_id": f"C{len(rows) + 1:04d}",
                "participant_id": "FJH",
                "shopper_id": "",
                "channel": "chat",
                "sent_at": sent.strftime("%Y-%m-%d %H:%M:%S"),
                "answered_at": "",
                "ended_at": "",
                "agent_topic": "",
                "agent_answer": "",
                "customer_type": "",
                "q_wait_fast": "",
                "q_handling_fast": "",
                "q_got_answer": "",
                "q_more_positive": "",
                "q_satisfied": "",
                "comment_customer": "",
            }
            if not abandoned:
                answered = sent + datetime.timedelta(seconds=wait)
                row["answered_at"] = answered.strftime("%Y-%m-%d %H:%M:%S")
                row["ended_at"] = (answered + datetime.timedelta(seconds=handling)).strftime("%Y-%m-%d %H:%M:%S")
                assessed = rng.random() < 0.42
                if assessed:
                    row["agent_topic"] = rng.choices(TOPICS, TOPIC_WEIGHTS)[0]
                    row["agent_answer"] = rng.choices(["yes", "partly", "no"], [0.72, 0.17, 0.11])[0]
                    row["customer_type"] = rng.choices(["private", "business"], [0.6, 0.4])[0]
                if rng.random() < (0.36 if assessed else 0.24):
                    fast_wait = rng.random() < (0.86 if wait <= 60 else 0.3)
                    fast_handling = rng.random() < (0.8 if handling <= 720 else 0.42)
                    got = row["agent_answer"] or rng.choices(["yes", "partly", "no"], [0.7, 0.18, 0.12])[0]
                    # Customers who got no answer seldom fill in the questionnaire.
                    if got != "no" or rng.random() < 0.4:
                        row["q_wait_fast"] = "ja" if fast_wait else "nei"
                        row["q_handling_fast"] = "ja" if fast_handling else "nei"
                        row["q_got_answer"] = got
                        mood = (1.0 if got == "yes" else 0.0 if got == "partly" else -1.5) + (0.4 if fast_wait else -0.4)
                        row["q_more_positive"] = "more" if mood > 0.5 else "less" if mood < -0.6 else "same"
                        row["q_satisfied"] = str(min(5, max(1, round(3.6 + mood + rng.gauss(0, 0.7)))))
                        if rng.random() < 0.35:
                            row["comment_customer"] = rng.choice(COMMENTS_GOOD if mood > 0 else COMMENTS_BAD)
            rows.append(row)
    participant = {"participant_id": "FJH", "name": "Fjordhandel Nettbutikk", "class": "Netthandel",
                   "sector": "private", "channels": "chat"}
    write_csv(out / "participants.csv", [participant])
    write_csv(out / "responses.csv", rows)
    print(f"{out}: {len(rows)} chats")


if __name__ == "__main__":
    main()
