"""The worked example in docs/architecture.md works: a new illustrator in one file and one registry line."""

import ast
import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fairytales.pipeline import registry
from fairytales.pipeline.backend import OptionError
from fairytales.pipeline.illustration import HEIGHT, WIDTH, IllustrationContext
from fairytales.pipeline.types import Scene

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


@pytest.fixture
def wash(monkeypatch):
    module_code, registry_line = re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), re.S)
    name, target = ast.literal_eval("{" + registry_line.strip().rstrip(",") + "}").popitem()
    module_name = target.partition(":")[0]
    module = importlib.util.module_from_spec(importlib.machinery.ModuleSpec(module_name, None))
    module.__package__ = module_name.rpartition(".")[0]
    exec(compile(module_code, str(DOC), "exec"), module.__dict__)  # noqa: S102 - our own documentation
    monkeypatch.setitem(sys.modules, module_name, module)
    monkeypatch.setitem(registry.BACKENDS["illustration"], name, target)
    return name


def test_the_documented_illustrator_draws_a_picture(wash, tmp_path):
    backend = registry.get("illustration", wash)
    scene = Scene(index=1, text="Жили-были дед да баба.", prompt="дед и баба у печки")
    out = tmp_path / "picture.png"
    drawn = backend.draw(scene, IllustrationContext("Колобок", "сказка", 1), out, {"seed": 3})
    pixels = np.asarray(Image.open(out).convert("RGB"), dtype=float)
    assert pixels.shape == (HEIGHT, WIDTH, 3) and pixels.std() > 1.0  # a gradient, not a blank frame
    assert len(drawn["colours"]) == 2


def test_its_declared_options_are_enforced(wash):
    with pytest.raises(OptionError, match="blur"):
        registry.get("illustration", wash).options({"blur": 500})
