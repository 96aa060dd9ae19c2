from hypothesis import given
from hypothesis import strategies as st

from fairytales.pipeline.text import chunks, sentences


def test_it_splits_sentences_before_dialogue_and_capitals():
    text = "Жили-были дед и баба. — Куда ты? — спросил волк. «Домой», — ответил он! Конец…"
    assert sentences(text) == ["Жили-были дед и баба.", "— Куда ты? — спросил волк.", "«Домой», — ответил он!",
                               "Конец…"]


def test_it_keeps_chunks_under_the_limit_and_cuts_only_between_words():
    text = ("Долго ли, коротко ли шёл Иван-царевич через тёмные леса, через высокие горы, через широкие реки, "
            "пока не пришёл к избушке на курьих ножках, что стояла к лесу задом, а к нему передом.")
    parts = chunks(text, 60)
    assert len(parts) > 2
    assert all(len(p) <= 60 for p in parts)
    assert " ".join(parts).split() == text.split()  # no word cut, none lost


def test_it_prefers_clause_boundaries():
    parts = chunks("Раз, два, три, четыре, пять, вышел зайчик погулять, вдруг охотник выбегает.", 40)
    assert all(p.endswith((",", ".")) for p in parts)


@given(st.text(max_size=400))
def test_any_text_is_chunked_without_losing_words(text):
    parts = chunks(text, 50)
    assert " ".join(parts).split() == text.split()
    assert all(len(p) <= 50 or " " not in p for p in parts)
