from fairytales.pipeline.proofread.dictionary import DictionaryProofreader


def fix(text):
    backend = DictionaryProofreader()
    return backend.fix(text, backend.options())


def test_it_fixes_misspelt_words():
    result = fix("Испекла старуха калобок, и покатился он по дарожке.")
    assert "колобок" in result.text and "дорожке" in result.text
    assert ("калобок", "колобок") in result.corrections


def test_it_leaves_correct_text_and_names_alone():
    text = "Жили-были старик со старухой. Пошёл Иван-царевич к Кощею Бессмертному."
    result = fix(text)
    assert result.text == text
    assert result.corrections == []


def test_it_tidies_spaces_dashes_and_quotes():
    result = fix('Сказал он  ,"Здравствуй" -- и ушёл .Конец')
    assert result.text == "Сказал он, «Здравствуй» — и ушёл. Конец"


def test_it_gives_prepositions_their_vowel():
    result = fix("Жил он вместе с старым дедом, в вторник пришёл к мне, а с сыном в лес и к кругу.")
    assert result.text == "Жил он вместе со старым дедом, во вторник пришёл ко мне, а с сыном в лес и к кругу."
