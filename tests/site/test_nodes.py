"""A node task (tales/nodes.py), run in this process: it makes its one node once — run again, after its worker
died, it finds the node made; it stops when its run was taken back; and a tale's task that offers its scenes'
nodes to other workers makes the ones nobody claimed itself, with the same result as without node tasks."""

import uuid

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from fairytales.tales import nodes, tasks
from fairytales.tales.models import NodeRun, Tale

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(make_tale):
    """A whole tale, made by its task here; then "running" again, as while a redo is made."""
    tale = make_tale(title="Репка", scene_count=3, choices={"story": {"options": {"length": 1200}},
                                                            "narration": {"backend": "espeak"}})
    tasks.start(tale)
    assert tasks.make_tale(str(tale.pk)) == Tale.Status.DONE
    Tale.objects.filter(pk=tale.pk).update(status=Tale.Status.RUNNING, run_token=uuid.uuid4())
    tale.refresh_from_db()
    return tale


def node_for(tale, stage="illustration", scene=2, **fields) -> NodeRun:
    """The row a tale's task writes for a redo of that scene's node, with the node's current inputs."""
    current = tale.current(stage, scene)
    fields.setdefault("run_token", tale.run_token)
    return NodeRun.objects.create(tale=tale, stage=stage, scene=scene, fingerprint=current.meta["inputs"],
                                  backend=current.backend, cluster="videotales", sent=True,
                                  redos=[{"stage": stage, "scene": scene}], **fields)


@pytest.mark.slow
def test_a_node_task_makes_its_node_once(made):
    row = node_for(made)
    before = made.artifacts.filter(stage="illustration", scene=2).count()
    assert nodes.make_node(str(row.pk)) == NodeRun.State.MADE
    new = made.current("illustration", 2)
    assert made.artifacts.filter(stage="illustration", scene=2).count() == before + 1
    assert new.meta["node"] == str(row.pk) and new.meta["made_by"].endswith(f":{__import__('os').getpid()}")
    assert made.artifacts.filter(stage="illustration", scene=1).count() == 1  # nothing else made
    assert made.artifacts.filter(stage="video").count() == 1
    row.refresh_from_db()
    assert row.state == "made" and row.fraction == 1.0 and row.tries == 1

    assert nodes.make_node(str(row.pk)) == "taken"  # delivered again: claimed already
    NodeRun.objects.filter(pk=row.pk).update(state="queued")  # its worker died after saving: queued again
    assert nodes.make_node(str(row.pk)) == NodeRun.State.MADE
    assert made.artifacts.filter(stage="illustration", scene=2).count() == before + 1  # found made, not remade

    # a node of a run taken back (another token) or whose inputs changed since it was queued: not made
    lost = node_for(made, scene=1, run_token=uuid.uuid4())
    assert nodes.make_node(str(lost.pk)) == NodeRun.State.CANCELLED
    changed = node_for(made, scene=3)
    NodeRun.objects.filter(pk=changed.pk).update(fingerprint="0" * 40)
    assert nodes.make_node(str(changed.pk)) == NodeRun.State.FAILED
    changed.refresh_from_db()
    assert "inputs changed" in changed.detail and changed.error_note
    assert made.artifacts.filter(stage="illustration").count() == before + 3


def test_a_dead_node_worker_is_seen_and_its_node_queued_again_once(make_tale):
    made = make_tale(status="running", run_token=uuid.uuid4())
    row = NodeRun.objects.create(tale=made, run_token=made.run_token, stage="illustration", scene=2, fingerprint="f",
                                 backend="storybook", cluster="videotales", sent=True, state="running",
                                 worker="videotales nowhere:1", tries=1,
                                 heartbeat=timezone.now() - timezone.timedelta(hours=1))
    remote = nodes.NodeTasks(made, made.run_token, [])
    remote.rows[("illustration", 2)] = row
    job = nodes.Job("illustration", 2, row.fingerprint, make=None, beside_others=False, backend="storybook")
    remote.look([job])
    row.refresh_from_db()
    assert row.state == "queued" and row.worker == "" and not job.finished  # silent an hour: queued again
    assert row.sent  # and its task sent again
    NodeRun.objects.filter(pk=row.pk).update(state="running", worker="videotales nowhere:1", tries=2,
                                             heartbeat=timezone.now() - timezone.timedelta(hours=1))
    remote.look([job])
    row.refresh_from_db()
    assert row.state == "failed" and "died" in row.detail  # the second time it fails
    remote.look([job])
    assert job.finished and "дважды" in str(job.result.public)


def test_a_tale_waiting_in_a_long_queue_is_not_taken_for_dead(make_tale, settings,
                                                             django_capture_on_commit_callbacks):
    """A crowd on a few GPUs: a tale that let its worker go waits longer than STALL_SECONDS, for its pictures in
    the GPU queue, or, its pictures made, for its own task in the CPU queue. It keeps its run and what it waits
    for is queued once more, in case a broker lost it. A tale silent with a node *being made* (its worker hung),
    or whose run was queued longer than TALE_TIMEOUT ago, is taken back as before."""
    settings.STALL_SECONDS, settings.TALE_TIMEOUT = 300, 3 * 3600
    ago = timezone.now() - timezone.timedelta(minutes=10)

    def let_go(nodes_state: str | None, queued_at=ago) -> Tale:
        tale = make_tale(status="running", run_token=uuid.uuid4(), run_queue=[[]], heartbeat=ago,
                         dispatch=uuid.uuid4(), queued_at=queued_at)
        for scene in (1, 2) if nodes_state else ():
            NodeRun.objects.create(tale=tale, run_token=tale.run_token, stage="illustration", scene=scene,
                                   fingerprint="f", backend="fixed_cost", cluster="gpu", sent=True, state=nodes_state,
                                   heartbeat=ago if nodes_state == "running" else None)
        return tale

    for_pictures, for_its_task = let_go("queued"), let_go("made")
    hung, too_long = let_go("running"), let_go("queued", queued_at=ago - timezone.timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_interrupted() == 2
    for tale in (for_pictures, for_its_task):
        token = tale.run_token
        tale.refresh_from_db()
        assert (tale.status, tale.run_token) == ("running", token) and tale.heartbeat > ago
    for tale in (hung, too_long):
        tale.refresh_from_db()
        assert (tale.status, tale.run_token) == ("queued", None)  # taken back: it resumes
    queued = [task.task for task in OrmQ.objects.all()]
    pictures = sorted(task["name"].split("-")[2] for task in queued if task["name"].startswith("node-"))
    assert pictures == ["1", "2"] and all(for_pictures.pk.hex in task["name"] for task in queued
                                          if task["name"].startswith("node-"))
    again = [task for task in queued if task["args"][0] == str(for_its_task.pk)]
    assert len(again) == 1 and again[0]["args"][1] == str(for_its_task.dispatch)
