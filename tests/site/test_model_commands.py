"""`models` lists every backend and says how to get what is missing; `fetch_models` knows where
each download goes (nothing can be downloaded here, so a real fetch fails at once and says so)."""

import pytest
from django.core.management import CommandError, call_command


def test_models_lists_every_backend_with_its_state(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("MODEL_PROOFREAD_JAMSPELL", str(tmp_path / "nowhere.bin"))
    call_command("models")
    out = capsys.readouterr().out
    for stage, name in [("story", "template"), ("story", "rugpt3"), ("proofread", "jamspell"),
                        ("narration", "silero"), ("music", "music_transformer"), ("illustration", "vqgan_clip"),
                        ("illustration", "diffusers"), ("video", "ffmpeg")]:
        assert any(line.split()[:2] == [stage, name] for line in out.splitlines()), (stage, name)
    assert "MODEL_PROOFREAD_JAMSPELL" in out and str(tmp_path / "nowhere.bin") in out
    assert "fetch_models --stage proofread" in out


def test_fetch_models_dry_run_says_where_each_model_goes(capsys):
    call_command("fetch_models", "--dry-run")
    out = capsys.readouterr().out
    assert "ai-forever/rugpt3small_based_on_gpt2 -> the Hugging Face cache" in out
    assert "v4_ru.pt -> " in out and "models/silero/v4_ru.pt" in out
    assert "vqgan_clip/mclip" in out


def test_fetch_models_offline_fails_with_a_clear_message(monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from fairytales.tales.management.commands.fetch_models import SOURCES

    story_downloads = sum(len(sources) for (stage, _), sources in SOURCES.items() if stage == "story")
    with pytest.raises(CommandError, match=f"{story_downloads} download"):  # ruGPT-3 and mGPT
        call_command("fetch_models", "--stage", "story")
    assert "failed:" in capsys.readouterr().err
