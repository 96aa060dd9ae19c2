from __future__ import annotations

import random
import re
import unicodedata

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fairytales.pipeline import languages, limits, registry, shots, stages
from fairytales.pipeline.backend import SEED, Option, OptionError
from fairytales.pipeline.music.models import local_music_models
from fairytales.pipeline.music.moods import MOOD_LABELS
from fairytales.pipeline.story.models import local_story_models
from fairytales.pipeline.video import FORMAT_LABELS, joins

from . import i18n
from .models import Tale
from .uploads import check_picture

TITLE_MAX = 80
NO_BURN = "none"  # the video redo's ``burn`` option for a film with no subtitles in the picture
MUSIC_MODEL_BACKEND = "music_transformer"  # the composer whose checkpoint a tale may pick (`train_music --name`)


def runnable_backends(stage: str, models: list[str] | None = None) -> list[tuple[str, str]]:
    """(name, label) of the backends of ``stage`` that can run here (with their configured weights, or
    with any of ``models`` for a neural backend): the form offers no others. A stage without backends
    (the scene split) has none."""
    choices = []
    for name in registry.BACKENDS.get(stage, {}):
        try:
            cls = registry.backend_class(stage, name)
        except ImportError:
            continue
        candidates = [registry.configured_model(cls), *((models or []) if cls.default_model else [])]
        if any(cls(model=model, device="cpu").available()[0] for model in candidates):
            choices.append((name, i18n.label(cls.label) or name))
    return choices


def option_field(option: Option, label: str, choice_labels: dict[str, str] | None = None) -> forms.Field:
    """The form field for a backend's declared option: its type, bounds and choices, never restated here
    (``choice_labels``: what users see for each choice, such as a voice's name)."""
    kind = option.type
    if option.upload:
        return forms.FileField(label=label, required=False, validators=[check_picture],
                               widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}))
    if option.choices or option.presets:
        values = option.choices or option.presets
        shown = choice_labels or {}
        return forms.ChoiceField(label=label, required=False, choices=[
            ("", _("по умолчанию")), *((_as_text(v), i18n.label(shown.get(_as_text(v), _as_text(v))))
                                       for v in values)])
    if kind is bool:
        return forms.NullBooleanField(label=label, required=False)
    if kind is int:
        return forms.IntegerField(label=label, required=False, min_value=option.min, max_value=option.max)
    if kind is float:
        return forms.FloatField(label=label, required=False, min_value=option.min, max_value=option.max)
    return forms.CharField(label=label, required=False, max_length=300)


def shot_choices(choices: list[tuple[str, str]], scenes: int = 6) -> list[tuple[str, str]]:
    """The picture-length choices, each saying about how many pictures a tale of ``scenes`` scenes draws."""
    out = []
    for value, label in choices:
        seconds = int(value or shots.DEFAULT_SECONDS)
        pictures = shots.estimate(scenes, seconds)
        text = (_("одна на сцену: {pictures} картинок на {scenes} сцен") if seconds == 0 else
                _("{seconds} с: около {pictures} картинок на {scenes} сцен")).format(
            seconds=seconds, pictures=pictures, scenes=scenes)
        out.append((value, f"{label} — {text}" if not value else text))
    return out


def _as_text(value) -> str:
    """How a choice is written in the form: «384x216» for a size."""
    return "x".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


class LanguageSelect(forms.Select):
    """Each language by its own name, each option marked as written in it (``lang``), for screen readers."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"]["lang"] = value
        return option


class VoiceSelect(forms.Select):
    """A narrator's voices, each marked with the languages it speaks (``data-languages``): new_tale.js offers
    only those of the tale's language."""

    def __init__(self, *args, spoken: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.spoken = spoken or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.spoken:
            option["attrs"]["data-languages"] = self.spoken[str(value)]
        return option


def spoken_languages(narrator) -> dict[str, str]:
    """Each of ``narrator``'s voices → the languages it speaks, space-separated."""
    return {voice: " ".join(code for code in narrator.languages if voice in narrator.voices_in(code))
            for voice in narrator.voices}


class LanguageCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes of languages by their own names; tales/_field.html marks each label with its ``lang``."""

    option_lang = True


class TaleForm(forms.ModelForm):
    """The title, genre and scenes; and, under "Дополнительно", the backend of each stage, the story
    model, and the options each runnable backend declares for the form (only backends that can run here
    are offered)."""

    scene_count = forms.IntegerField(label=gettext_lazy("Сцен"), min_value=3, max_value=12, initial=6,
                                     error_messages={"min_value": gettext_lazy("Не меньше 3 сцен."),
                                                     "max_value": gettext_lazy("Не больше 12 сцен.")})

    subtitles = forms.MultipleChoiceField(
        label=gettext_lazy("Субтитры на других языках"), required=False, widget=LanguageCheckboxes,
        choices=list(languages.NAMES.items()),
        error_messages={"invalid_choice": gettext_lazy(
            "Субтитров на языке «%(value)s» нет: выберите язык из списка.")})

    MAIN = ("title", "genre", "language", "subtitles", "scene_count", "is_public")

    class Meta:
        model = Tale
        fields = ["title", "genre", "language", "subtitles", "scene_count", "is_public"]
        labels = {"title": gettext_lazy("Название сказки"), "genre": gettext_lazy("Жанр"),
                  "language": gettext_lazy("Язык сказки"), "is_public": gettext_lazy("Показывать в галерее")}
        widgets = {"language": LanguageSelect}
        error_messages = {
            "title": {"required": gettext_lazy("Введите название сказки."),
                      "max_length": gettext_lazy("Название не длиннее 80 символов.")},
            "genre": {"invalid_choice": gettext_lazy("Выберите жанр из списка."),
                      "required": gettext_lazy("Выберите жанр.")},
            "language": {"invalid_choice": gettext_lazy("Выберите язык сказки из списка."),
                         "required": gettext_lazy("Выберите язык сказки.")},
        }

    def __init__(self, *args, owner=None, story_models: list[str] | None = None,
                 music_models: list[dict] | None = None, **kwargs):
        """``story_models``: the story checkpoints offered; ``music_models``: the Music Transformer
        checkpoints offered (``local_music_models()``'s entries; None: those found under models/)."""
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["language"].required = False  # a form that sends none (a script, an old page) means Russian
        self.default_backends = {stage: registry.default_backend(stage) for stage in stages.WITH_BACKENDS}
        self.option_fields: dict[str, tuple[str, str, Option]] = {}  # field -> (stage, backend, option)
        if music_models is None:
            music_models = local_music_models()  # made by `manage.py train_music --name`
        for stage in stages.WITH_BACKENDS:
            offered = {"story": story_models, "music": [m["id"] for m in music_models]}.get(stage)
            runnable = runnable_backends(stage, offered)
            if stage in stages.CHOOSABLE:
                self.fields[f"{stage}_backend"] = forms.ChoiceField(label=i18n.stage_label(stage), choices=runnable,
                                                                    initial=self.default_backends[stage], required=False)
            else:  # one backend (the editor): only its options are offered
                runnable = [(name, label) for name, label in runnable if name == self.default_backends[stage]]
            if stage == "story":
                trained = {model["id"]: model["summary"] for model in local_story_models()}
                self.fields["story_model"] = forms.ChoiceField(
                    label=_("Модель сюжета"), required=False,
                    choices=[("", _("по умолчанию")), *((m, trained.get(m, m)) for m in story_models or [])])
            if stage == "music" and MUSIC_MODEL_BACKEND in dict(runnable):
                # a participant's checkpoint for the Music Transformer; other composers have no use for it
                self.fields["music_model"] = forms.ChoiceField(
                    label=_("Music Transformer: модель"), required=False,
                    choices=[("", _("по умолчанию")), *((m["id"], m["summary"]) for m in music_models)],
                    error_messages={"invalid_choice": gettext_lazy(
                        "Такой модели музыки нет: выберите обученную модель из списка.")})
            for backend, backend_label in runnable:
                cls = registry.backend_class(stage, backend)
                for option in cls.declared_options:
                    if option.form:
                        name = f"{stage}_{backend}_{option.name}"
                        voices = cls.voices if option.name == getattr(cls, "voice_option", None) else None
                        voices = voices or getattr(cls, "choice_labels", {}).get(option.name)  # e.g. joins
                        self.fields[name] = option_field(option, f"{backend_label}: {i18n.label(option.label)}", voices)
                        self.option_fields[name] = (stage, backend, option)
                        field = self.fields[name]
                        voice = option.name == getattr(cls, "voice_option", None)
                        if voice and isinstance(field, forms.ChoiceField):  # offered by the languages read
                            field.widget = VoiceSelect(spoken=spoken_languages(cls))
                            field.widget.choices = field.choices
                        if option.name == "shot_seconds":  # each choice says how many pictures it draws
                            self.fields[name].choices = shot_choices(self.fields[name].choices)

    @property
    def advanced_fields(self):
        return [self[name] for name in self.fields if name not in self.MAIN]

    @property
    def main_fields(self):
        return [self[name] for name in self.MAIN]

    def clean(self):
        data = super().clean()
        # the tale's own language is not a further subtitle language: a box ticked for it is dropped
        language = data.get("language") or languages.DEFAULT
        data["subtitles"] = list(languages.extra(language, data.get("subtitles") or []))
        problem = Tale.objects.quota_problem(self.owner) if self.owner else None
        if problem:
            raise forms.ValidationError(problem)
        choices = {}
        for stage in stages.WITH_BACKENDS:
            backend = data.get(f"{stage}_backend") or self.default_backends[stage]
            choice = {"backend": backend}
            options = {}
            for name, (option_stage, option_backend, option) in self.option_fields.items():
                value = data.get(name)
                if option_stage == stage and option_backend == backend and value not in (None, "") \
                        and not option.upload:
                    try:
                        options[option.name] = option.check(value)
                    except OptionError as exc:
                        self.add_error(name, _("Значение не подходит: {reason}").format(reason=exc))
                        continue
                    maker = registry.backend_class(stage, backend)
                    voice = option.name == getattr(maker, "voice_option", None)
                    if voice and value not in maker.voices_in(language):
                        self.add_error(name, _("Этот голос не читает на языке сказки."))
            if options:
                choice["options"] = options
            if stage == "story" and data.get("story_model"):
                choice["model"] = data["story_model"]
            if stage == "music" and backend == MUSIC_MODEL_BACKEND and data.get("music_model"):
                choice["model"] = data["music_model"]
            if backend != self.default_backends[stage] or len(choice) > 1:  # else the default decides later
                choices[stage] = choice
            if stage == "illustration" and data.get("scene_count"):
                cls = registry.backend_class(stage, backend)
                chosen = cls(device="cpu").options(options)  # a picture per shot: about so many (shots.py)
                pictures = shots.estimate(data["scene_count"], chosen.get("shot_seconds", shots.DEFAULT_SECONDS))
                work = cls.work(chosen, pictures)
                problem = limits.picture_work_problem(work)
                if problem:
                    self.add_error(None, i18n.translate(problem))
        self.instance.choices = choices
        return data

    def save_uploads(self, tale) -> None:
        """An uploaded picture option (VQGAN+CLIP's start picture) goes into the tale's folder as it came,
        under a name of ours, never the user's, and the option points there; the worker decodes it."""
        for name, (stage, backend, option) in self.option_fields.items():
            upload = self.cleaned_data.get(name)
            choice = tale.choices.get(stage)
            if not option.upload or not upload or not choice or choice["backend"] != backend:
                continue
            tale.folder.mkdir(parents=True, exist_ok=True)
            path = tale.folder / f"{option.name.replace('_', '-')}.{check_picture(upload)}"  # init-image.png
            with open(path, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            choice.setdefault("options", {})[option.name] = str(path)
            tale.save(update_fields=["choices"])

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or languages.DEFAULT

    def clean_title(self) -> str:
        title = "".join(" " if ch.isspace() else ch for ch in self.cleaned_data["title"]
                        if ch.isspace() or unicodedata.category(ch) not in {"Cc", "Cf"})
        title = " ".join(title.split())  # controls and bidi overrides gone first, then spaces tidied
        if not title:
            raise forms.ValidationError(_("Введите название сказки."))
        if len(title) > TITLE_MAX:
            raise forms.ValidationError(_("Название не длиннее {count} символов.").format(count=TITLE_MAX))
        return title


class RedoForm(forms.Form):
    """One redo on a tale's page: which stage (and scene), and what to change."""

    # the video is made again only in another format (the same inputs make the same film)
    stage = forms.ChoiceField(choices=[(s, s) for s in (*stages.PAGE_REDO, "video")])
    scene = forms.IntegerField(required=False, min_value=1)
    shot = forms.IntegerField(required=False, min_value=1, max_value=100)  # one shot of the scene's picture
    text = forms.CharField(required=False, max_length=limits.MAX_TALE_CHARS, strip=True)
    prompt = forms.CharField(required=False, max_length=300, strip=True)
    seed = forms.IntegerField(required=False, min_value=SEED.min, max_value=SEED.max, error_messages={
        "invalid": gettext_lazy("Зерно — целое число."),
        "min_value": gettext_lazy("Зерно — от %(limit_value)s."),
        "max_value": gettext_lazy("Зерно — не больше %(limit_value)s.")})
    voice = forms.CharField(required=False)
    mood = forms.ChoiceField(required=False, choices=[("", "—"), *MOOD_LABELS.items()])
    backend = forms.CharField(required=False)
    format = forms.ChoiceField(required=False, choices=[("", "—"), *FORMAT_LABELS.items()])
    # the film's joins: with a scene, the cut into that scene only (video/joins.py)
    join = forms.ChoiceField(required=False, choices=[("", "—"), *joins.JOIN_LABELS.items()])
    # the language whose subtitles are burned into the picture, or "none": the film again with them
    burn = forms.ChoiceField(required=False, choices=[("", "—"), (NO_BURN, NO_BURN), *languages.NAMES.items()],
                             error_messages={"invalid_choice": gettext_lazy("Такого языка субтитров нет.")})

    def __init__(self, *args, scene_count: int, narrator, scene_texts: list[str] | None = None,
                 film_languages: tuple[str, ...] = (languages.DEFAULT,), film: dict | None = None,
                 language: str = languages.DEFAULT, shot_counts: dict[int, int] | None = None, **kwargs):
        """``film_languages``: the languages the tale's film has subtitles in, the ones ``burn`` may name;
        ``film``: what the current film was made with (``Tale.film_settings``), so that asking for it again
        is told, not made; ``shot_counts``: how many shots each scene's picture has (``Tale.shot_counts``)."""
        super().__init__(*args, **kwargs)
        self.scene_count, self.voices, self.voice_option = scene_count, narrator.voices, narrator.voice_option
        # the voices that read the tale's language (all, for a narrator that reads none of it: views._voices)
        self.readers = narrator.voices_in(language) or narrator.voices
        self.scene_texts = scene_texts or []  # the tale's scenes as they are, to bound an edit's total
        self.film_languages = film_languages
        self.film = film or {}
        self.shot_counts = shot_counts or {}

    def clean(self):
        data = super().clean()
        for name in ("text", "prompt"):  # controls, zero-width and bidi characters are not text
            if data.get(name):
                data[name] = "".join(ch for ch in data[name]
                                     if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf"}).strip()
        stage, scene = data.get("stage"), data.get("scene")
        if stage == "scenes" and not scene:
            raise forms.ValidationError(_("Укажите, какую сцену изменить."))
        if stage == "video" and not data.get("format") and not data.get("join") and not data.get("burn"):
            raise forms.ValidationError(_("Выберите формат фильма."))
        if data.get("burn") not in (None, "", NO_BURN) and data["burn"] not in self.film_languages:
            raise forms.ValidationError(_("В этой сказке нет субтитров на языке «{language}».").format(
                language=languages.NAMES[data["burn"]]))
        if stage == "video" and not data.get("join"):  # the film as it is, asked for again
            if data.get("format") and not data.get("burn") and data["format"] == self.film.get("format"):
                raise forms.ValidationError(_("Фильм уже в этом формате."))
            if data.get("burn") and not data.get("format") and data["burn"] == self.film.get("burn"):
                raise forms.ValidationError(_("В фильме уже такие субтитры."))
        cut = stage == "video" and data.get("join")  # a scene names the cut into it
        if scene and ((stage not in stages.SCENE_REDO and not cut) or scene > self.scene_count):
            raise forms.ValidationError(_("В сказке нет сцены {scene}.").format(scene=scene))
        shot = data.get("shot")
        if stage == "illustration" and scene and shot and shot > self.shot_counts.get(scene, 1):
            raise forms.ValidationError(_("В сцене {scene} нет кадра {shot}.").format(scene=scene, shot=shot))
        if stage == "scenes" and not data.get("text"):
            raise forms.ValidationError(_("Текст сцены не может быть пустым."))
        if stage == "scenes" and scene:
            texts = [data["text"] if number == scene else text for number, text in enumerate(self.scene_texts, 1)]
            problem = limits.scene_text_problem(data["text"]) or limits.tale_text_problem(texts)
            if problem:
                raise forms.ValidationError(i18n.translate(problem))
        if data.get("voice") and data["voice"] not in self.voices:
            raise forms.ValidationError(_("Такого голоса нет."))
        if data.get("voice") and data["voice"] not in self.readers:
            raise forms.ValidationError(_("Этот голос не читает на языке сказки."))
        if data.get("backend") and stage and data["backend"] not in dict(runnable_backends(stage)):
            raise forms.ValidationError(_("Эта модель здесь недоступна."))
        return data

    def redo(self):
        from fairytales.pipeline.runner import Redo  # noqa: PLC0415

        data = self.cleaned_data
        options = {}
        if data["stage"] in ("story", "illustration", "music") and not data.get("text"):
            # a redo with no seed given is a new roll of the dice, not the same picture again
            options["seed"] = data["seed"] if data.get("seed") is not None else random.randrange(1, SEED.max + 1)
        if data.get("voice") and data["stage"] == "narration":
            options[self.voice_option] = data["voice"]
        if data["stage"] == "music":  # always: «как в жанре» ("") undoes a mood chosen before
            options["mood"] = data.get("mood") or ""
        if data["stage"] == "video":
            if data.get("format"):
                options["format"] = data["format"]
            if data.get("join"):
                scene = data.get("scene")
                options.update({"joins": f"{scene}={data['join']}"} if scene else {"join": data["join"]})
            if data.get("burn"):
                options["burn"] = data["burn"]
        return Redo(stage=data["stage"], scene=data.get("scene") if data["stage"] != "video" else None,
                    options=options, backend=data.get("backend") or None,
                    text=data.get("text") or None if data["stage"] in ("story", "scenes") else None,
                    prompt=data.get("prompt") or None if data["stage"] == "illustration" else None,
                    shot=data.get("shot") if data["stage"] == "illustration" and data.get("scene") else None)


class CastForm(forms.Form):
    """An edit of one character of the tale's sheet (pipeline/cast.py): their description, their colours, or
    only a new reference picture. Every scene that shows them is drawn again."""

    character = forms.CharField(max_length=40)
    description = forms.CharField(required=False, max_length=500, strip=True)
    palette = forms.CharField(required=False, max_length=200, strip=True)
    redraw = forms.BooleanField(required=False)

    def __init__(self, *args, sheet: dict[str, dict], **kwargs):
        """``sheet``: {character key: {"description": …, "palette": ["#rrggbb", …]}}, the current sheet's."""
        super().__init__(*args, **kwargs)
        self.sheet = sheet

    def clean_character(self):
        if self.cleaned_data["character"] not in self.sheet:
            raise forms.ValidationError(_("Такого героя нет."))
        return self.cleaned_data["character"]

    def clean_description(self):
        text = self.cleaned_data["description"]
        return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf"}).strip()

    def clean_palette(self):
        colours = [part.strip().lower() for part in self.cleaned_data["palette"].split(",") if part.strip()]
        if any(not HEX_COLOUR.fullmatch(colour) for colour in colours):
            raise forms.ValidationError(_("Цвет пишется как #rrggbb, например #d63432."))
        return colours

    def clean(self):
        data = super().clean()
        key = data.get("character")
        if key in self.sheet:  # what is as it was is no edit
            if data.get("description") == self.sheet[key]["description"]:
                data["description"] = ""
            if data.get("palette") == self.sheet[key]["palette"]:
                data["palette"] = []
        edited = data.get("description") or data.get("palette") or data.get("redraw")
        if key and not self.errors and not edited:
            raise forms.ValidationError(_("Измените описание или цвета героя, или нарисуйте его образец заново."))
        return data

    def redo(self):
        from fairytales.pipeline.runner import Redo  # noqa: PLC0415

        data = self.cleaned_data
        options = {"character": data["character"]}
        if data.get("palette"):
            options["palette"] = ",".join(data["palette"])
        if data.get("redraw"):
            options["redraw"] = True
        return Redo(stage="cast", options=options, text=data.get("description") or None)


HEX_COLOUR = re.compile(r"#[0-9a-f]{6}")
