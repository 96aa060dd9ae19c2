"""The Music Transformer as a participant's model: trained from a folder of MIDI files with a held-out loss,
saved with a training card where the composer (and a tale) can pick it, and resumed from its resume file."""

from __future__ import annotations

import io
import json

import pytest
import torch
from django.core.management import call_command
from django.core.management.base import CommandError

from fairytales.pipeline.music.neural import MusicTransformerComposer
from fairytales.pipeline.music.transformer.model import ModelConfig
from fairytales.pipeline.music.transformer.train import (
    local_music_models,
    procedural_corpus,
    resume_path,
    split_heldout,
    to_pieces,
    train,
)

TINY = ["--layers", "1", "--heads", "2", "--d-model", "32", "--max-len", "64", "--batch", "4", "--lr", "3e-3"]
CONFIG = ModelConfig(n_layer=1, n_head=2, d_model=32, max_len=64, dropout=0.0)


@pytest.fixture(scope="module")
def midi_folder(tmp_path_factory):
    """A participant's MIDI collection: pieces of the procedural composer written as .mid files."""
    folder = tmp_path_factory.mktemp("midi")
    (folder / "more").mkdir()
    for i, (pm, _) in enumerate(procedural_corpus(per_mood=1, duration=20.0)[:6]):
        pm.write(str(folder / ("more" if i % 2 else ".") / f"piece{i}.mid"))
    (folder / "broken.mid").write_bytes(b"not a midi file")
    return folder


def test_a_midi_folder_trains_a_model_a_tale_can_pick(tmp_path, midi_folder):
    output = tmp_path / "music_transformer" / "my-music" / "model.pt"
    out = io.StringIO()
    call_command("train_music", "--midi-dir", str(midi_folder), "-o", str(output), "--steps", "30",
                 "--heldout", "0.34", "--eval-every", "15", *TINY, stdout=out)
    card = json.loads((output.parent / "training_card.json").read_text("utf-8"))
    assert card["pieces"] == 4 and card["heldout_pieces"] == 2  # the broken file skipped, a third held out
    assert [step for step, _ in card["heldout"]] == [0, 15, 30]
    assert card["heldout_loss_after"] < card["heldout_loss_before"]
    assert "held-out loss" in out.getvalue()
    assert resume_path(output).is_file()  # saved resumable (--save-every defaults to 500: at the end)

    listed = local_music_models(tmp_path / "music_transformer")
    assert [m["name"] for m in listed] == ["my-music"]
    assert listed[0]["id"] == str(output.parent.resolve()) and "→" in listed[0]["summary"]

    composer = MusicTransformerComposer(model=listed[0]["id"])
    assert composer.available() == (True, "")
    meta = composer.compose(4.0, "сказка", tmp_path / "m.wav", tmp_path / "m.mid", {"seed": 1})
    assert meta["model"] == str(output.parent.resolve() / "model.pt") and (tmp_path / "m.wav").stat().st_size > 0


def test_resumes_where_it_stopped(tmp_path):
    data = procedural_corpus(per_mood=1, duration=20.0)[:4]
    checkpoint = tmp_path / "mine" / "model.pt"
    lines: list[str] = []
    first = train(data, CONFIG, steps=4, batch=2, out_checkpoint=checkpoint, log=lines.append, device="cpu",
                  heldout=0.25, eval_every=2, save_every=2)
    assert len(first) == 4 and torch.load(resume_path(checkpoint), weights_only=True)["step"] == 4
    report: dict = {}
    lines.clear()
    losses = train(data, CONFIG, steps=7, batch=2, out_checkpoint=checkpoint, log=lines.append, device="cpu",
                   heldout=0.25, eval_every=2, save_every=2, resume=True, report=report)
    assert report["resumed_from"] == 4 and len(losses) == 7 and losses[:4] == pytest.approx(first)
    assert any(line.startswith("resuming from") for line in lines)
    assert not any(line.startswith("step 1/") for line in lines)
    assert [step for step, _ in report["heldout"]] == [0, 2, 4, 6, 7]
    saved = torch.load(checkpoint, weights_only=True)
    assert saved["step"] == 7 and len(saved["loss"]) == 7

    other = ModelConfig(n_layer=2, n_head=2, d_model=32, max_len=64, dropout=0.0)
    with pytest.raises(ValueError, match="another model config"):
        train(data, other, steps=8, batch=2, out_checkpoint=checkpoint, log=lambda *_: None, device="cpu",
              resume=True)


def test_held_out_pieces_are_whole_and_never_all():
    pieces = to_pieces(procedural_corpus(per_mood=1, duration=10.0)[:5])
    kept, held = split_heldout(pieces, 0.2, 0)
    assert len(kept) == 4 and len(held) == 1 and held[0] in pieces and held[0] not in kept
    assert split_heldout(pieces, 0.0, 0) == (pieces, [])
    assert len(split_heldout(pieces, 0.99, 0)[0]) == 1
    with pytest.raises(ValueError, match="at least two"):
        split_heldout(pieces[:1], 0.1, 0)


def test_name_and_output_are_one_or_the_other(tmp_path, midi_folder):
    with pytest.raises(CommandError, match="not both"):
        call_command("train_music", "--midi-dir", str(midi_folder), "--name", "x", "-o", str(tmp_path / "m.pt"),
                     "--steps", "1", *TINY, stdout=io.StringIO())


@pytest.mark.slow
@pytest.mark.django_db
def test_the_form_offers_a_trained_model_and_a_tale_plays_it(tmp_path, midi_folder, client, django_user_model,
                                                              monkeypatch, settings):
    """`train_music --name` → the form offers the model with its card → a tale made with it records it, its
    music is written by that checkpoint, and a redo of the music keeps it."""
    from fairytales.pipeline.music import models as music_models
    from fairytales.tales import tasks
    from fairytales.tales.models import Tale

    monkeypatch.setattr(music_models, "MUSIC_MODELS_DIR", tmp_path / "music_transformer")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    call_command("train_music", "--midi-dir", str(midi_folder), "--name", "my-tunes", "--steps", "4",
                 "--heldout", "0.34", "--eval-every", "2", *TINY, stdout=io.StringIO())
    folder = (tmp_path / "music_transformer" / "my-tunes").resolve()
    assert (folder / "model.pt").is_file()

    client.force_login(django_user_model.objects.create_user("kompozitor", password="Sem-Not-Do-Re-7"))
    page = client.get("/tales/new/").content.decode()
    assert f'value="{folder}"' in page and 'value="music_transformer"' in page
    assert "my-tunes: Music Transformer" in page and "потеря на отложенных" in page  # its training card

    tale_fields = {"title": "Колобок", "genre": "сказка", "scene_count": "3", "music_backend": "music_transformer"}
    refused = client.post("/tales/new/", {**tale_fields, "music_model": str(tmp_path / "elsewhere")})
    assert refused.status_code == 200 and "Такой модели музыки нет" in refused.content.decode()
    assert not Tale.objects.exists()

    response = client.post("/tales/new/", {**tale_fields, "music_model": str(folder)})
    assert response.status_code == 302, response.context["form"].errors
    tale = Tale.objects.get()
    assert tale.choices["music"] == {"backend": "music_transformer", "model": str(folder)}

    tale.choices["story"] = {"options": {"length": 300}}  # a short story: three short scenes to score
    tale.save(update_fields=["choices"])
    assert tasks.make_tale(str(tale.pk)) == Tale.Status.DONE
    music = tale.current("music")
    assert music.backend == "music_transformer" and music.model == str(folder)
    assert music.meta["model"] == str(folder / "model.pt")
    assert [cue["scene"] for cue in music.meta["cues"]] == [1, 2, 3]  # where the scenes play, for any composer

    redone = client.post(f"/tales/{tale.pk}/redo/", {"stage": "music", "seed": "11"})
    assert redone.status_code == 302
    assert tasks.make_tale(str(tale.pk)) == Tale.Status.DONE
    again = tale.current("music")
    assert again.version == 2 and again.meta["seed"] == 11
    assert again.meta["model"] == str(folder / "model.pt")  # the redo kept the tale's own model
