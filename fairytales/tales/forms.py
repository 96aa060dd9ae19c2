from __future__ import annotations

import random
import unicodedata

from django import forms

from fairytales.pipeline import registry

from .models import Tale

TITLE_MAX = 80


def runnable_backends(stage: str, models: list[str] | None = None) -> list[tuple[str, str]]:
    """(name, label) of the backends of ``stage`` that can run here (with their configured weights, or
    with any of ``models`` for a neural backend): the form offers no others."""
    choices = []
    for name in registry.BACKENDS[stage]:
        try:
            cls = registry.backend_class(stage, name)
        except ImportError:
            continue
        candidates = [registry.configured_model(cls), *((models or []) if cls.default_model else [])]
        if any(cls(model=model, device="cpu").available()[0] for model in candidates):
            choices.append((name, cls.label or name))
    return choices


CHOOSABLE_STAGES = ("story", "proofread", "narration", "music", "illustration")
STAGE_FIELD_LABELS = {"story": "Сюжет", "proofread": "Орфография", "narration": "Озвучка", "music": "Музыка",
                      "illustration": "Иллюстрации"}
# Options of the story language model a participant may set per tale (field -> option, type, bounds).
STORY_OPTIONS = {
    "temperature": ("Температура", forms.FloatField, 0.1, 2.0),
    "top_k": ("top_k", forms.IntegerField, 0, 500),
    "top_p": ("top_p", forms.FloatField, 0.1, 1.0),
    "repetition_penalty": ("Штраф за повторы", forms.FloatField, 1.0, 3.0),
    "no_repeat_ngram_size": ("no_repeat_ngram_size", forms.IntegerField, 0, 10),
    "length": ("Длина текста, символов", forms.IntegerField, 1500, 8000),
    "seed": ("Зерно", forms.IntegerField, 0, 2**31 - 1),
}


# Options of the VQGAN+CLIP illustrator per tale (field -> option, type, bounds).
PICTURE_OPTIONS = {
    "iterations": ("Итераций VQGAN+CLIP", forms.IntegerField, 10, 2000),
    "step_size": ("Шаг оптимизации", forms.FloatField, 0.005, 1.0),
    "cutouts": ("Вырезок на итерацию", forms.IntegerField, 1, 128),
}
PICTURE_SIZES = [("", "по умолчанию"), ("384x216", "384×216"), ("512x288", "512×288"), ("768x432", "768×432")]


class TaleForm(forms.ModelForm):
    """The title, genre and scenes; and, under "Дополнительно", the backend of each stage and the
    story model's sampling options (only backends that can run here are offered)."""

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

    def __init__(self, *args, owner=None, story_models: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.default_backends = {stage: registry.default_backend(stage) for stage in CHOOSABLE_STAGES}
        for stage in CHOOSABLE_STAGES:
            runnable = runnable_backends(stage, story_models if stage == "story" else None)
            self.fields[f"{stage}_backend"] = forms.ChoiceField(
                label=STAGE_FIELD_LABELS[stage], choices=runnable, initial=self.default_backends[stage],
                required=False)
        self.fields["story_model"] = forms.ChoiceField(
            label="Модель сюжета", required=False, choices=[("", "по умолчанию"), *((m, m) for m in story_models or [])])
        for name, (label, field, low, high) in STORY_OPTIONS.items():
            self.fields[f"story_{name}"] = field(label=label, required=False, min_value=low, max_value=high)
        for name, (label, field, low, high) in PICTURE_OPTIONS.items():
            self.fields[f"picture_{name}"] = field(label=label, required=False, min_value=low, max_value=high)
        self.fields["picture_size"] = forms.ChoiceField(label="Размер картинки VQGAN+CLIP", choices=PICTURE_SIZES,
                                                        required=False)
        self.fields["picture_init_image"] = forms.ImageField(
            label="Начальная картинка VQGAN+CLIP", required=False,
            error_messages={"invalid_image": "Это не картинка: загрузите PNG или JPEG."})

    @property
    def advanced_fields(self):
        return [self[name] for name in self.fields
                if name.endswith(("_backend", "_model")) or name.startswith(("story_", "picture_"))]

    @property
    def main_fields(self):
        return [self[name] for name in ("title", "genre", "scene_count", "is_public")]

    def clean(self):
        data = super().clean()
        problem = Tale.objects.quota_problem(self.owner) if self.owner else None
        if problem:
            raise forms.ValidationError(problem)
        choices = {}
        for stage in CHOOSABLE_STAGES:
            backend = data.get(f"{stage}_backend")
            if backend and backend != self.default_backends[stage]:
                choices[stage] = {"backend": backend}
        story_options = {name: data[f"story_{name}"] for name in STORY_OPTIONS if data.get(f"story_{name}") is not None}
        if choices.get("story"):
            cls = registry.backend_class("story", choices["story"]["backend"])
            choices["story"]["options"] = {k: v for k, v in story_options.items() if k in cls.defaults}
            if data.get("story_model"):
                choices["story"]["model"] = data["story_model"]
        if choices.get("illustration"):
            cls = registry.backend_class("illustration", choices["illustration"]["backend"])
            options = {name: data[f"picture_{name}"] for name in PICTURE_OPTIONS
                       if data.get(f"picture_{name}") is not None}
            if data.get("picture_size"):
                options["size"] = [int(v) for v in data["picture_size"].split("x")]
            choices["illustration"]["options"] = {k: v for k, v in options.items() if k in cls.defaults}
        self.instance.choices = choices
        return data

    def save_init_image(self, tale) -> None:
        """The uploaded start picture goes into the tale's folder under a name of ours, never the user's."""
        upload = self.cleaned_data.get("picture_init_image")
        illustration = tale.choices.get("illustration")
        if not upload or not illustration:
            return
        if "init_image" not in registry.backend_class("illustration", illustration["backend"]).defaults:
            return
        from PIL import Image  # noqa: PLC0415

        tale.folder.mkdir(parents=True, exist_ok=True)
        path = tale.folder / "init-image.png"
        Image.open(upload).convert("RGB").save(path)
        illustration.setdefault("options", {})["init_image"] = str(path)
        tale.save(update_fields=["choices"])

    def clean_title(self) -> str:
        title = "".join(" " if ch.isspace() else ch for ch in self.cleaned_data["title"]
                        if ch.isspace() or unicodedata.category(ch) not in {"Cc", "Cf"})
        title = " ".join(title.split())  # controls and bidi overrides gone first, then spaces tidied
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
    backend = forms.CharField(required=False)

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
        if data.get("backend") and stage and data["backend"] not in dict(runnable_backends(stage)):
            raise forms.ValidationError("Эта модель здесь недоступна.")
        for name in ("text", "prompt"):
            if data.get(name):
                data[name] = "".join(ch for ch in data[name] if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf"})
        return data

    def redo(self):
        from fairytales.pipeline.runner import Redo  # noqa: PLC0415

        data = self.cleaned_data
        options = {}
        if data["stage"] in ("story", "illustration", "music") and not data.get("text"):
            # a redo with no seed given is a new roll of the dice, not the same picture again
            options["seed"] = data["seed"] if data.get("seed") is not None else random.randrange(1, 2**31)
        if data.get("voice") and data["stage"] == "narration":
            options[self.voice_option] = data["voice"]
        if data.get("mood") and data["stage"] == "music":
            options["mood"] = data["mood"]
        return Redo(stage=data["stage"], scene=data.get("scene"), options=options, backend=data.get("backend") or None,
                    text=data.get("text") or None if data["stage"] in ("story", "scenes") else None,
                    prompt=data.get("prompt") or None if data["stage"] == "illustration" else None)
