"""A tale's task goes to CPU_CLUSTER, and each of its nodes whose backend needs a GPU to GPU_CLUSTER as a node
task (tales/nodes.py); without node tasks (NODE_TASKS=0) the whole run goes to the cluster that serves its
heaviest need. With neither cluster set (the embedded default) everything goes to the one default cluster.
The queue a task lands in is read from django-q2's ORM broker."""

import re

import pytest
from django.core.management import call_command
from django_q.models import OrmQ, Schedule

from fairytales.pipeline import registry
from fairytales.pipeline.runner import Redo
from fairytales.tales import nodes, signals, tasks

pytestmark = pytest.mark.django_db


def queued_in(tale, capture, redos=None) -> str:
    """The broker queue (django-q2's cluster name) the tale's task was put in."""
    with capture(execute=True):
        tasks.start(tale, redos)
    row = OrmQ.objects.order_by("-id").first()
    assert row.task["args"][0] == str(tale.pk)
    return row.key


def test_each_backend_says_what_it_needs():
    gpu = {(stage, name) for stage, names in registry.BACKENDS.items() for name in names
           if registry.backend_class(stage, name).device_need == "gpu"}
    assert gpu == {("story", "rugpt3"), ("story", "mgpt"), ("narration", "silero"), ("music", "musicgen"),
                   ("illustration", "vqgan_clip"), ("illustration", "diffusers")}
    assert registry.run_need({}) == "cpu"  # the defaults (music_transformer among them) run on a CPU
    assert registry.run_need({"story": "rugpt3"}) == "gpu"
    assert registry.run_need({"illustration": "offline", "story": "template"}) == "cpu"


def test_models_command_shows_the_need(capsys):
    call_command("models")
    lines = {tuple(line.split()[:2]): line for line in capsys.readouterr().out.splitlines()}
    assert lines[("illustration", "diffusers")].endswith("needs gpu")
    assert lines[("music", "music_transformer")].endswith("needs cpu")


def test_a_tale_task_goes_to_the_cpu_cluster_and_its_gpu_nodes_to_the_gpu_one(settings, make_tale, stranger,
                                                                              django_capture_on_commit_callbacks):
    settings.GPU_CLUSTER, settings.CPU_CLUSTER = "gpu", "cpu"
    neural = make_tale(choices={"story": {"backend": "rugpt3", "model": "tiny", "options": {}}})
    offline = make_tale(owner=stranger, choices={"illustration": {"backend": "storybook", "options": {}}})
    assert queued_in(neural, django_capture_on_commit_callbacks) == "cpu"
    assert queued_in(offline, django_capture_on_commit_callbacks) == "cpu"
    assert nodes.cluster_of("story", "rugpt3") == nodes.cluster_of("illustration", "diffusers") == "gpu"
    assert nodes.cluster_of("illustration", "storybook") == nodes.cluster_of("video", "ffmpeg") == "cpu"


def test_without_node_tasks_a_gpu_tale_goes_whole_to_the_gpu_cluster(settings, make_tale, stranger,
                                                                      django_capture_on_commit_callbacks):
    settings.GPU_CLUSTER, settings.CPU_CLUSTER, settings.NODE_TASKS = "gpu", "cpu", False
    neural = make_tale(choices={"story": {"backend": "rugpt3", "model": "tiny", "options": {}}})
    offline = make_tale(owner=stranger, choices={"illustration": {"backend": "storybook", "options": {}}})
    assert queued_in(neural, django_capture_on_commit_callbacks) == "gpu"
    assert queued_in(offline, django_capture_on_commit_callbacks) == "cpu"


def test_without_node_tasks_a_redo_with_a_gpu_backend_goes_to_the_gpu_cluster(settings, make_tale,
                                                                               django_capture_on_commit_callbacks):
    settings.GPU_CLUSTER, settings.CPU_CLUSTER, settings.NODE_TASKS = "gpu", "cpu", False
    tale = make_tale(status="done")
    assert queued_in(tale, django_capture_on_commit_callbacks,
                     [Redo(stage="illustration", scene=1, backend="vqgan_clip")]) == "gpu"


def test_one_cluster_takes_everything_by_default(settings, make_tale, stranger,
                                                 django_capture_on_commit_callbacks):
    assert settings.GPU_CLUSTER == settings.CPU_CLUSTER == ""
    neural = make_tale(choices={"illustration": {"backend": "diffusers", "options": {}}})
    offline = make_tale(owner=stranger)
    default = settings.Q_CLUSTER["name"]
    assert queued_in(neural, django_capture_on_commit_callbacks) == default
    assert queued_in(offline, django_capture_on_commit_callbacks) == default


def test_the_recovery_schedule_runs_on_the_cpu_cluster(settings):
    settings.CPU_CLUSTER = "cpu"
    signals.ensure_recovery_schedule(sender=None, using="default")
    assert Schedule.objects.get(name=signals.RECOVERY_SCHEDULE).cluster == "cpu"
    settings.CPU_CLUSTER = ""
    signals.ensure_recovery_schedule(sender=None, using="default")
    assert Schedule.objects.get(name=signals.RECOVERY_SCHEDULE).cluster is None  # the default cluster's


def test_staff_see_each_clusters_queue_and_the_tale_each_worker_holds(client, settings, make_tale, stranger,
                                                                       django_user_model,
                                                                       django_capture_on_commit_callbacks):
    settings.GPU_CLUSTER, settings.CPU_CLUSTER, settings.NODE_TASKS = "gpu", "cpu", False
    waiting = make_tale(choices={"illustration": {"backend": "diffusers", "options": {}}})
    queued_in(waiting, django_capture_on_commit_callbacks)
    make_tale(owner=stranger, title="Теремок", status="running", worker="cpu node-7:4242")
    client.force_login(stranger)
    assert client.get("/staff/workers/").status_code == 302  # to the admin's log-in: staff only
    client.force_login(django_user_model.objects.create_user("boss", password="x-Boss-77", is_staff=True))
    page = client.get("/staff/workers/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = [re.sub(r"<[^>]+>", " ", row).split() for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)]
    assert ["gpu", "1", "0", "0"] in rows and ["cpu", "0", "1", "0"] in rows  # queued tasks, tales and nodes being made
    assert any(row[:4] == ["cpu", "node-7:4242", "Теремок", "bob"] for row in rows), rows
    assert "Clusters" in page and "Tales being made" in page


def test_staff_see_the_nodes_made_as_tasks_of_their_own_and_who_makes_each(client, settings, make_tale,
                                                                            django_user_model):
    from fairytales.tales.models import NodeRun

    settings.GPU_CLUSTER, settings.CPU_CLUSTER = "gpu", "cpu"
    tale = make_tale(title="Морозко", status="running", worker="cpu node-1:10")
    token = tale.run_token
    for scene, state, worker in [(1, "made", "gpu node-2:21"), (2, "running", "gpu node-2:22"), (3, "queued", "")]:
        NodeRun.objects.create(tale=tale, run_token=token or tale.pk, stage="illustration", scene=scene,
                               fingerprint="f", cluster="gpu", state=state, sent=True, worker=worker, fraction=0.5)
    client.force_login(django_user_model.objects.create_user("boss", password="x-Boss-77", is_staff=True))
    page = client.get("/staff/workers/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    nodes = [re.sub(r"<[^>]+>", " ", row).split() for row in re.findall(r'<tr class="node">(.*?)</tr>', page, re.S)]
    assert [row[:3] for row in nodes] == [["gpu", "queued", "Морозко"], ["gpu", "gpu", "node-2:22"]]  # not the made
    assert all("Морозко" in row for row in nodes)
    clusters = [re.sub(r"<[^>]+>", " ", row).split() for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)]
    assert ["gpu", "0", "0", "1"] in clusters and ["cpu", "0", "1", "0"] in clusters
