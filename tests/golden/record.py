"""Write tests/golden/expected.json and the pictures' thumbnails from what the golden backends make now."""

import json
import tempfile
from pathlib import Path

from . import EXPECTED, PICTURES, cases, make, thumbnail, thumbnail_name


def main() -> None:
    expected = {}
    with tempfile.TemporaryDirectory() as tmp:
        for title, genre, seed in cases():
            key = f"{title} | {genre} | {seed}"
            folder = Path(tmp) / key.replace(" ", "_").replace("|", "")
            folder.mkdir()
            expected[key] = make(title, genre, seed, folder)
            PICTURES.mkdir(exist_ok=True)
            for scene, _ in enumerate(expected[key]["illustration"], 1):
                thumbnail(folder / f"p{scene}.png").save(PICTURES / thumbnail_name(title, genre, seed, scene))
            print("recorded", key)
    EXPECTED.write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
