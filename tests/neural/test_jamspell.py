"""The JamSpell proofreader on a language model trained here from half a megabyte of the literature."""

from __future__ import annotations

import importlib.util
import lzma
import os
import subprocess
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("jamspell") is None:  # never import it here: without its locale it aborts
    pytest.skip("jamspell is not installed", allow_module_level=True)

from fairytales.pipeline.backend import BackendUnavailable  # noqa: E402
from fairytales.pipeline.proofread.jamspell import ranking, training  # noqa: E402
from fairytales.pipeline.proofread.jamspell.backend import JamSpellProofreader  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "data" / "ru_literature.txt.xz"
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason=f"no {CORPUS}")


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    if not CORPUS.exists():
        pytest.skip(f"no {CORPUS}")
    out = tmp_path_factory.mktemp("jamspell") / "ru_test.bin"
    return training.train(CORPUS, out, max_mb=0.5)


@pytest.fixture(scope="module")
def proofreader(model) -> JamSpellProofreader:
    reader = JamSpellProofreader(model=str(model))
    reader.ensure_loaded()
    return reader


def fix(reader, text):
    return reader.fix(text, reader.options())


def test_training_writes_the_model_and_its_cache(model):
    assert model.stat().st_size > 100_000
    assert Path(f"{model}.spell").stat().st_size > 0


def test_it_fixes_misspelt_words_and_reports_them(proofreader):
    done = fix(proofreader, "Кот лакал малоко из блюдца. Собака бижала по дароге в лес.")
    assert done.text == "Кот лакал молоко из блюдца. Собака бежала по дороге в лес."
    assert done.corrections == [("малоко", "молоко"), ("бижала", "бежала"), ("дароге", "дороге")]


def test_capitals_dashes_and_line_breaks_are_kept(proofreader):
    text = "— Превет! — крикнул волк.\n\n— Кто там? — атветил Дед. Я несла малоко.\nДАРОГОЙ лес!"
    done = fix(proofreader, text)
    assert done.text == "— Привет! — крикнул волк.\n\n— Кто там? — ответил Дед. Я несла молоко.\nДОРОГОЙ лес!"
    assert ("Превет", "Привет") in done.corrections and ("ДАРОГОЙ", "ДОРОГОЙ") in done.corrections


def test_a_slip_is_never_mended_into_another_case(proofreader):
    # «дорожке» is not in half a megabyte of literature, only other forms of it: «по дорожку» would
    # read as a correction and be wrong, so the word is left for the reader
    done = fix(proofreader, "Мы шли по дарожке.")
    assert done.text == "Мы шли по дарожке." and not done.corrections


def test_correct_text_is_left_alone(proofreader):
    text = (
        "Жили-были старик со старухой у самого синего моря. Старик ловил неводом рыбу, а старуха "
        "пряла свою пряжу.\n\n— Здравствуй, бабушка! — сказала Красная Шапочка. — Я принесла тебе "
        "пирожок и горшочек масла.\n\nЁжик ещё долго сидел под ёлкой, а Колобок покатился дальше."
    )
    done = fix(proofreader, text)
    assert done.text == text
    assert done.corrections == []


def test_names_are_not_corrected(proofreader):
    done = fix(proofreader, "Потом пришёл Малоко и сел у окна.")
    assert done.corrections == []


def test_typography_is_tidied_even_without_spelling(proofreader):
    done = proofreader.fix('Он сказал  "привет" - и ушёл ...', {"fix_spelling": False})
    assert done.text == "Он сказал «привет» — и ушёл…"
    assert done.corrections == []


def test_progress_is_reported(proofreader):
    seen = []
    proofreader.fix("Первая строка.\nВторая строка.", proofreader.options(), lambda f, m="": seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_the_edit_cost_ranks_russian_slips_first():
    cost, best = ranking.edit_cost, ranking.best_candidate
    assert cost("малоко", "молоко") < cost("малоко", "малого")  # vowel < voicing mid-word
    assert cost("дуп", "дуб") < cost("дуп", "дух")  # devoicing at the end is a typical slip
    assert best("малоко", [("малого", -10.0), ("молоко", -10.5), ("малоко", -12.0)]) == "молоко"
    assert best("превет", [("превет", -9.0), ("привет", -10.0)]) == "превет"  # JamSpell keeps it


def test_missing_model_is_one_line_naming_the_setting(tmp_path):
    reader = JamSpellProofreader(model=str(tmp_path / "nothing.bin"))
    with pytest.raises(BackendUnavailable) as caught:
        reader.ensure_loaded()
    message = str(caught.value)
    assert "\n" not in message
    assert "MODEL_PROOFREAD_JAMSPELL" in message and "fetch_models" in message
    ok, why = reader.available()
    assert not ok and "MODEL_PROOFREAD_JAMSPELL" in why


def test_a_folder_holding_the_model_is_accepted(model):
    reader = JamSpellProofreader(model=str(model.parent))
    assert reader.model_file() == model
    assert reader.available() == (True, "")


def test_jamspell_imports_in_a_fresh_process_with_no_locale_set_up(tmp_path):
    """jamspell's C++ aborts the process without en_US.UTF-8: the backend makes it first."""
    env = {k: v for k, v in os.environ.items() if k not in ("LOCPATH", "LC_ALL", "LANG")}
    env["VIDEOTALES_VAR"] = str(tmp_path)
    code = (
        "from fairytales.pipeline.proofread.jamspell.locale import import_jamspell, locale_loads\n"
        "import_jamspell().TSpellCorrector()\n"
        "print('ok', locale_loads())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok True"
    system_has_it = (
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from fairytales.pipeline.proofread.jamspell.locale import locale_loads as f;print(f())",
            ],
            cwd=REPO,
            env={**env, "LOCPATH": ""},
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()
        == "True"
    )
    assert system_has_it or (tmp_path / "locale" / "en_US.utf8" / "LC_CTYPE").exists()


@needs_corpus
def test_prepare_corpus_spreads_a_small_sample_over_the_whole_text(tmp_path):
    out = tmp_path / "sample.txt"
    written = training.prepare_corpus(CORPUS, out, max_mb=0.3)
    assert 200_000 < written < 500_000
    text = out.read_text(encoding="utf-8")
    assert "ё" not in text
    with lzma.open(CORPUS, "rt", encoding="utf-8") as handle:
        head = handle.read(len(text))
    assert text != head  # not just the first author


def test_train_spelling_command(tmp_path):
    from django.core.management import call_command  # noqa: PLC0415

    corpus = tmp_path / "tiny.txt.xz"
    text = "Кот лакал молоко из блюдца. Собака бежала по дороге в лес. Девочка несла молоко бабушке.\n"
    with lzma.open(corpus, "wt", encoding="utf-8") as handle:
        handle.write(text * 200)
    out = tmp_path / "models" / "tiny.bin"
    call_command("train_spelling", str(corpus), "-o", str(out), "--max-mb", "1")
    assert out.exists() and Path(f"{out}.spell").exists()
    reader = JamSpellProofreader(model=str(out))
    assert reader.fix("Кот лакал малоко.", reader.options()).text == "Кот лакал молоко."


def test_train_spelling_command_reports_a_missing_corpus(tmp_path):
    from django.core.management import call_command  # noqa: PLC0415
    from django.core.management.base import CommandError  # noqa: PLC0415

    with pytest.raises(CommandError, match="no corpus"):
        call_command("train_spelling", str(tmp_path / "none.txt"), "-o", str(tmp_path / "m.bin"))
