"""The MarianMT translator on a tiny random Marian model built here: a sentencepiece vocabulary trained on a few
sentences and a one-layer encoder-decoder, saved the way released opus-mt weights are laid out (source.spm,
target.spm, vocab.json, config.json) and loaded through the backend's own code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from fairytales.pipeline.backend import BackendUnavailable
from fairytales.pipeline.scenes import split_scenes
from fairytales.pipeline.translation import Job
from fairytales.pipeline.translation.marian import MarianTranslator
from fairytales.pipeline.translation.parallel import ParallelTranslator

SENTENCES = [
    "Жили-были старик со старухой.", "Испекла старуха колобок.", "Колобок покатился по дорожке.",
    "Навстречу ему заяц.", "Колобок, колобок, я тебя съем!", "Не ешь меня, я тебе песенку спою.",
    "Once upon a time there lived an old man.", "The bun rolled down the path.", "The hare said hello.",
]
STORY = "\n\n".join([
    "Жили-были старик со старухой. Испекла старуха колобок.",
    "— Колобок, колобок, я тебя съем! — сказал заяц.\n— Не ешь меня, я тебе песенку спою.",
    "Колобок покатился по дорожке. Навстречу ему заяц.",
])
OPTIONS = {"batch_size": 2, "num_beams": 1, "max_length": 24}


@pytest.fixture(scope="module")
def tiny_marian(tmp_path_factory) -> Path:
    import sentencepiece as spm
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    folder = tmp_path_factory.mktemp("tiny-opus-mt")
    text = folder / "text.txt"
    text.write_text("\n".join(SENTENCES * 3), encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(text), model_prefix=str(folder / "spm"), vocab_size=80,
                                   character_coverage=1.0, model_type="unigram", bos_id=-1, eos_id=-1,
                                   unk_id=0, pad_id=-1, minloglevel=2)
    processor = spm.SentencePieceProcessor(model_file=str(folder / "spm.model"))
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size()) if processor.id_to_piece(i) != "<unk>"]
    vocab = {"</s>": 0, "<unk>": 1, **{piece: i + 2 for i, piece in enumerate(pieces)}}
    vocab["<pad>"] = len(vocab)
    for name in ("source.spm", "target.spm"):
        shutil.copyfile(folder / "spm.model", folder / name)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    for leftover in ("text.txt", "spm.model", "spm.vocab"):
        (folder / leftover).unlink()
    tokenizer = MarianTokenizer(str(folder / "source.spm"), str(folder / "target.spm"), str(folder / "vocab.json"))
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = MarianConfig(vocab_size=len(vocab), d_model=32, encoder_layers=1, decoder_layers=1,
                          encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64,
                          max_position_embeddings=64, pad_token_id=vocab["<pad>"], eos_token_id=0,
                          decoder_start_token_id=vocab["<pad>"], forced_eos_token_id=0)
    MarianMTModel(config).save_pretrained(folder)
    return folder


def test_it_loads_from_a_folder_and_gives_one_translation_per_sentence_in_batches(tiny_marian):
    translator = MarianTranslator(model=str(tiny_marian))
    assert translator.available() == (True, "") and translator.can("ru", "en")
    sentences = SENTENCES[:5]
    seen = []
    out = translator.translate_sentences(sentences, "ru", "en", OPTIONS,
                                         lambda fraction, message="": seen.append((fraction, str(message))))
    assert len(out) == len(sentences) and all(text.strip() for text in out)
    assert any(text != original for text, original in zip(out, sentences))  # the model wrote them
    assert [round(f, 2) for f, _ in seen] == [0.4, 0.8, 1.0]  # 5 sentences, 2 at a time
    assert "5" in seen[-1][1]


def test_a_scene_keeps_its_paragraphs_and_lines(tiny_marian):
    translator = MarianTranslator(model=str(tiny_marian))
    [text] = translator.translate_texts([STORY], "ru", "en", OPTIONS)
    assert text.count("\n\n") == 2 and text.split("\n\n")[1].count("\n") == 1


def test_a_pattern_finds_each_pairs_folder_and_a_missing_pair_says_which_setting(tiny_marian, tmp_path):
    shutil.copytree(tiny_marian, tmp_path / "ru-en")
    translator = MarianTranslator(model=str(tmp_path / "{src}-{tgt}"))
    assert translator.can("ru", "en") and not translator.can("ru", "uk")
    assert translator.translate_sentences(["Испекла старуха колобок."], "ru", "en", OPTIONS)[0].strip()
    with pytest.raises(BackendUnavailable, match="MODEL_TRANSLATION_MARIAN"):
        translator.translate_sentences(["Испекла старуха колобок."], "ru", "uk", OPTIONS)


def test_a_story_with_no_parallel_text_is_translated_by_the_fallback(tiny_marian):
    scenes = split_scenes(STORY, 3)
    marian = MarianTranslator(model=str(tiny_marian))
    job = Job(source="ru", targets=("en",), scenes=scenes, parallel=lambda language: None, fallback=marian)
    texts = ParallelTranslator().translate(job, {})
    assert len(texts["en"]) == 3 and all(text and text.strip() for text in texts["en"])
    alone = MarianTranslator(model=str(tiny_marian)).translate(
        Job(source="ru", targets=("en",), scenes=scenes, known={"en": {2: "Kept."}}), OPTIONS)
    assert alone["en"][1] == "Kept." and all(alone["en"])


@pytest.mark.slow
def test_a_tale_of_the_owners_own_words_gets_its_subtitles_from_marian(tiny_marian, tmp_path, monkeypatch):
    from fairytales.pipeline.artifacts import DirectoryStore
    from fairytales.pipeline.runner import Redo, Runner
    from fairytales.pipeline.types import TaleRequest

    monkeypatch.setenv("MODEL_TRANSLATION_MARIAN", str(tiny_marian))  # one folder: every pair
    store = DirectoryStore(tmp_path)
    request = TaleRequest(title="Колобок", genre="сказка", scenes=3, seed=1, subtitles=("en",))
    video = Runner(request, store, redo=[Redo("story", text=STORY)]).run()  # an edited story: no parallel text
    translation = store.current("translation")
    texts = json.loads(translation.file("texts").read_text("utf-8"))
    assert translation.meta["fallback"] == "marian" and translation.meta["missing"] == {}
    assert len(texts["en"]) == 3 and all(texts["en"])
    assert video.meta["subtitles"] == ["ru", "en"] and video.files["vtt_en"].read_text("utf-8").startswith("WEBVTT")
