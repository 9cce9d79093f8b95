"""Print the row count of each statement CSV file in the inbox folder."""

import csv
import pathlib


def main() -> None:
    for statement in sorted(pathlib.Path("/inbox").glob("*.csv")):
        with statement.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        print(f"{statement.name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
