"""The CSV writing the season generators share: UTF-8, `\n` line ends, columns in the order of
the first row's keys, so the same rows always give the same bytes."""

import csv


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
