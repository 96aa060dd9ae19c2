"""The stages of a videotale, declared once: their order, which are made per scene, which a user may
redo or choose a backend for, and what each is called on the page.

    title + genre ─► story ─► proofread ─► scenes ─┬─► narration[i] ──────────┐
                                                   ├─► cast ─► illustration[i] ├─► video (+ poster, subtitle tracks)
                                                   ├─► music ──────────────────┤
                                                   └─► translation ────────────┘
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    name: str
    label: str  # what the page calls it
    per_scene: bool = False  # one result per scene (narration[i], illustration[i])
    redoable: bool = False  # `manage.py redo` makes it again on request...
    page_redo: bool = True  # ...and so does the tale's page (a redoable stage's own inputs can change there)
    choosable: bool = False  # it has backends a user may choose among
    scene_redo: bool = False  # a redo may name one scene


# In the order the runner makes them and the page lists them.
ALL: tuple[Stage, ...] = (
    Stage("story", "Сюжет", redoable=True, choosable=True),
    Stage("proofread", "Орфография", choosable=True),
    Stage("scenes", "Сцены", redoable=True, scene_redo=True),
    # the character sheet: the cast, each with a description, palette, seed and (neural) reference picture;
    # edited on its own form on the page (pipeline/cast.py)
    Stage("cast", "Герои", redoable=True, page_redo=False),
    # each scene's text in the tale's subtitle languages (done at once when it has none)
    Stage("translation", "Перевод", choosable=True),
    Stage("narration", "Озвучка", per_scene=True, redoable=True, choosable=True, scene_redo=True),
    Stage("illustration", "Иллюстрации", per_scene=True, redoable=True, choosable=True, scene_redo=True),
    Stage("music", "Музыка", redoable=True, choosable=True),
    Stage("video", "Видео", redoable=True, page_redo=False),  # the same inputs make the same film
)
BY_NAME: dict[str, Stage] = {stage.name: stage for stage in ALL}

ORDER: tuple[str, ...] = tuple(stage.name for stage in ALL)
PER_SCENE: tuple[str, ...] = tuple(stage.name for stage in ALL if stage.per_scene)
REDOABLE: tuple[str, ...] = tuple(stage.name for stage in ALL if stage.redoable)
PAGE_REDO: tuple[str, ...] = tuple(stage.name for stage in ALL if stage.redoable and stage.page_redo)
CHOOSABLE: tuple[str, ...] = tuple(stage.name for stage in ALL if stage.choosable)
SCENE_REDO: tuple[str, ...] = tuple(stage.name for stage in ALL if stage.scene_redo)
# Stages with backends (the registry's keys): the choosable ones and the editor.
WITH_BACKENDS: tuple[str, ...] = (*CHOOSABLE, "video")
LABELS: dict[str, str] = {stage.name: stage.label for stage in ALL}


def label(name: str) -> str:
    return LABELS.get(name, name)
