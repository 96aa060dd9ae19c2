"""A backend's options are declared once (type, bounds, default, label) and enforced by Backend.options."""

import pytest

from fairytales.pipeline import registry
from fairytales.pipeline.backend import Backend, Option, OptionError


class Painter(Backend):
    stage, name = "illustration", "painter"
    declared_options = (
        Option("iterations", 300, "Итераций", min=1, max=2000),
        Option("step", 0.1, "Шаг", min=0.005, max=1.0),
        Option("augment", True, "Искажать"),
        Option("size", [512, 288], "Размер", min=8, max=2048),
        Option("style", "storybook", "Стиль", choices=("storybook", "flat")),
        Option("seed", None, "Зерно", kind=int, min=0),
    )


def test_defaults_come_from_the_declarations():
    assert Painter.defaults == {"iterations": 300, "step": 0.1, "augment": True, "size": [512, 288],
                                "style": "storybook", "seed": None}
    assert Painter().options() == Painter.defaults


@pytest.mark.parametrize("word", ["false", "False", "0", "no", "off", ""])
def test_false_is_read_as_false(word):
    assert Painter().options({"augment": word})["augment"] is False


def test_text_becomes_the_declared_type():
    options = Painter().options({"iterations": "25", "step": "0.5", "size": "384x216", "seed": "7"})
    assert (options["iterations"], options["step"], options["size"], options["seed"]) == (25, 0.5, [384, 216], 7)


@pytest.mark.parametrize(("name", "value", "why"), [
    ("iterations", 0, "below 1"), ("iterations", 10**6, "above 2000"), ("step", 5, "above 1.0"),
    ("size", [4, 288], "below 8"), ("style", "oil", "not one of storybook, flat"), ("seed", -1, "below 0"),
    ("iterations", "many", "invalid literal"), ("iterations", 2.5, "not a whole number"),
    ("augment", "maybe", "not a yes or no"),
])
def test_a_value_out_of_bounds_is_refused_with_the_reason(name, value, why):
    with pytest.raises(OptionError, match=why):
        Painter().options({name: value})


def test_an_unknown_option_is_an_error_not_a_no_op():
    with pytest.raises(OptionError, match="unknown option"):
        Painter().options({"iteratons": 5})


def test_every_backend_declares_every_option_it_takes():
    for stage, names in registry.BACKENDS.items():
        for name in names:
            cls = registry.backend_class(stage, name)
            assert cls.declared_options, f"{stage}/{name} declares no options"
            for option in cls.declared_options:
                assert option.label, f"{stage}/{name}: option {option.name} has no label"
                assert option.check(option.default) == option.default
