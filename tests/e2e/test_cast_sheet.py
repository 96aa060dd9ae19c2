"""The character sheet in Chromium against the real processes (`manage.py serve`): the owner sees each
character with its colours on the tale page, and an edit of one is queued as a redo of the cast."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Site, sign_up
from tests.e2e.test_accessibility import AUDIT, AXE
from tests.e2e.test_tale_page_live import PASSWORD, in_site, page  # noqa: F401 - page: a fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHEET = [
    {"key": "hero", "role": "hero", "name": "Морозко", "figure": "дед", "seed": 401, "scenes": [1, 2],
     "description": "Морозко: старичок с белой бородой; цвета: белый, синий",
     "palette": {"main": "#f0f0ec", "second": "#3460c8", "hair": "#e1e1e1"}, "markers": ["морозко"]},
    {"key": "villain", "role": "villain", "name": "мачеха", "figure": "бабка", "seed": 402, "scenes": [1],
     "description": "мачеха: старушка в платке", "palette": {"main": "#6e82aa"}, "markers": ["мачеха"]},
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("cast-sheet"))
    yield site
    site.stop()


def test_the_owner_sees_the_sheet_and_an_edit_queues_a_redo(site, page):  # noqa: F811 - fixtures
    sign_up(page, "nastya", PASSWORD, site=site.base)
    # a tale being made whose sheet has landed (the run in progress keeps the edit waiting in the queue)
    tale_id = in_site(site, f"""
from django.contrib.auth.models import User
from django.utils import timezone
from fairytales.pipeline.artifacts import Artifact as Result
from fairytales.tales.models import Tale
from fairytales.tales.store import TaleStore
tale = Tale.objects.create(owner=User.objects.get(username="nastya"), title="Морозко", genre="сказка",
                           status="running", run_queue=[[]], heartbeat=timezone.now())
store = TaleStore(tale)
path = store.path_for("cast", None, "cast.json")
path.write_text({json.dumps(SHEET, ensure_ascii=False)!r}, "utf-8")
store.save(Result(stage="cast", scene=None, files={{"sheet": path}}, meta={{}}, backend="storybook"))
print(tale.pk)
""")
    page.goto(f"{site.base}/tales/{tale_id}/")
    sheet = page.locator("section.cast")
    expect(sheet.get_by_role("heading", name="Герои")).to_be_visible()
    hero = sheet.locator('[data-character="hero"]')
    expect(hero.locator(".cast-name")).to_have_text("Морозко")
    expect(hero.locator(".cast-role")).to_have_text("Герой")
    # under the name's heading, the description without the name again (the prompts keep it)
    expect(hero.locator(".cast-description")).to_have_text("старичок с белой бородой; цвета: белый, синий")
    expect(hero.locator(".swatch")).to_have_count(3)
    assert hero.locator(".swatch").nth(1).evaluate("(s) => getComputedStyle(s).backgroundColor") \
        == "rgb(52, 96, 200)"
    expect(sheet.locator('[data-character="villain"] .cast-role')).to_have_text("Злодей")
    sheet.locator("details").evaluate_all("(all) => all.forEach((d) => d.open = true)")
    page.add_script_tag(content=AXE.read_text())
    assert page.evaluate(AUDIT) == []  # no serious or critical accessibility violation, its forms open
    sheet.locator("details").evaluate_all("(all) => all.forEach((d) => d.open = false)")

    hero.get_by_text("Изменить героя").click()
    hero.get_by_label("Описание").fill("Морозко: старичок в синей шубе")
    hero.get_by_role("button", name="Сохранить: Морозко").click()
    expect(page.get_by_text("Переделаю, как только закончится текущая работа.")).to_be_visible()
    queue = json.loads(in_site(site, f"""
import json
from fairytales.tales.models import Tale
print(json.dumps(Tale.objects.get(pk={tale_id!r}).run_queue, ensure_ascii=False))
"""))
    assert queue[1] == [{"stage": "cast", "options": {"character": "hero"},
                         "text": "Морозко: старичок в синей шубе"}]
