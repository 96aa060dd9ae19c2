"""Write tests/golden/expected.json from what the default backends make now."""

import json
import tempfile
from pathlib import Path

from . import EXPECTED, cases, make


def main() -> None:
    expected = {}
    with tempfile.TemporaryDirectory() as tmp:
        for title, genre, seed in cases():
            key = f"{title} | {genre} | {seed}"
            folder = Path(tmp) / key.replace(" ", "_").replace("|", "")
            folder.mkdir()
            expected[key] = make(title, genre, seed, folder)
            print("recorded", key)
    EXPECTED.write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
