#!/usr/bin/env python3
"""Writes LoCoMo with each turn's session date as its time rather than in its text.

`../shared/locomo/locomo-dcmaid-dated.json` prefixes every turn with its session's date
("[8 May 2023] Caroline: ..."). This moves the date into the turn's `"at"` (2023-05-08),
which `dcmaid eval memory` uses as the time the turn was told, and leaves the text as in
`locomo-dcmaid.json`. Questions get no `"at"`: each is asked on the day of its
conversation's last session. The output is LoCoMo's data (CC BY-NC 4.0): write it outside
the repository.

    python3 scripts/locomo-timed.py ../shared/locomo/locomo-dcmaid-dated.json /tmp/eval/locomo-timed.json
"""

import datetime
import json
import re
import sys

PREFIX = re.compile(r"^\[(\d{1,2} [A-Z][a-z]+ \d{4})\] ")


def main(source, target):
    with open(source, encoding="utf-8") as file:
        data = json.load(file)
    for conversation in data["conversations"]:
        for turn in conversation["turns"]:
            match = PREFIX.match(turn["text"])
            if not match:
                sys.exit(f"{turn['id']}: no date in front of {turn['text'][:60]!r}")
            told = datetime.datetime.strptime(match.group(1), "%d %B %Y").date()
            turn["at"] = told.isoformat()
            turn["text"] = turn["text"][match.end():]
    with open(target, "w", encoding="utf-8") as file:
        json.dump(data, file, ensure_ascii=False)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
