from __future__ import annotations

import unicodedata

from django import forms

from .models import Tale

TITLE_MAX = 80


class TaleForm(forms.ModelForm):
    scene_count = forms.IntegerField(label="Сцен", min_value=3, max_value=12, initial=6,
                                     error_messages={"min_value": "Не меньше 3 сцен.",
                                                     "max_value": "Не больше 12 сцен."})

    class Meta:
        model = Tale
        fields = ["title", "genre", "scene_count", "is_public"]
        labels = {"title": "Название сказки", "genre": "Жанр", "is_public": "Показывать в галерее"}
        error_messages = {
            "title": {"required": "Введите название сказки.",
                      "max_length": f"Название не длиннее {TITLE_MAX} символов."},
            "genre": {"invalid_choice": "Выберите жанр из списка.", "required": "Выберите жанр."},
        }

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        title = "".join(ch for ch in title if unicodedata.category(ch) not in {"Cc", "Cf"})
        if not title:
            raise forms.ValidationError("Введите название сказки.")
        if len(title) > TITLE_MAX:
            raise forms.ValidationError(f"Название не длиннее {TITLE_MAX} символов.")
        return title


MOOD_LABELS = {
    "waltz": "Сказочный вальс", "music_box": "Музыкальная шкатулка", "dark": "Мрачная", "modal": "Волшебная",
    "heroic": "Героическая", "synth": "Космическая", "dreamy": "Мечтательная", "playful": "Озорная",
    "noir": "Детективная", "tender": "Нежная",
}
SCENE_STAGES = {"scenes", "narration", "illustration"}


class RedoForm(forms.Form):
    """One redo on a tale's page: which stage (and scene), and what to change."""

    stage = forms.ChoiceField(choices=[(s, s) for s in ("story", "scenes", "narration", "illustration", "music")])
    scene = forms.IntegerField(required=False, min_value=1)
    text = forms.CharField(required=False, max_length=20000, strip=True)
    prompt = forms.CharField(required=False, max_length=300, strip=True)
    seed = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1,
                              error_messages={"invalid": "Зерно — целое число."})
    voice = forms.CharField(required=False)
    mood = forms.ChoiceField(required=False, choices=[("", "—"), *MOOD_LABELS.items()])

    def __init__(self, *args, scene_count: int, narrator, **kwargs):
        super().__init__(*args, **kwargs)
        self.scene_count, self.voices, self.voice_option = scene_count, narrator.voices, narrator.voice_option

    def clean(self):
        data = super().clean()
        stage, scene = data.get("stage"), data.get("scene")
        if stage == "scenes" and not scene:
            raise forms.ValidationError("Укажите, какую сцену изменить.")
        if scene and (stage not in SCENE_STAGES or scene > self.scene_count):
            raise forms.ValidationError(f"В сказке нет сцены {scene}.")
        if stage == "scenes" and not data.get("text"):
            raise forms.ValidationError("Текст сцены не может быть пустым.")
        if data.get("voice") and data["voice"] not in self.voices:
            raise forms.ValidationError("Такого голоса нет.")
        for name in ("text", "prompt"):
            if data.get(name):
                data[name] = "".join(ch for ch in data[name] if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf"})
        return data

    def redo(self):
        from fairytales.pipeline.runner import Redo  # noqa: PLC0415

        data = self.cleaned_data
        options = {}
        if data.get("seed") is not None and data["stage"] in ("story", "narration", "illustration", "music"):
            options["seed"] = data["seed"]
        if data.get("voice") and data["stage"] == "narration":
            options[self.voice_option] = data["voice"]
        if data.get("mood") and data["stage"] == "music":
            options["mood"] = data["mood"]
        return Redo(stage=data["stage"], scene=data.get("scene"), options=options,
                    text=data.get("text") or None if data["stage"] in ("story", "scenes") else None,
                    prompt=data.get("prompt") or None if data["stage"] == "illustration" else None)
