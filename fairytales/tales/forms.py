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
