"""The staff's view of the workers: each django-q2 cluster with its queue, the tales being made and the worker
process holding each, the nodes made as tasks of their own (tales/nodes.py) and the worker making each, and the
clusters' processes as django-q2 reports them (docs/deploy.md)."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render
from django_q.brokers import get_broker
from django_q.humanhash import humanize
from django_q.status import Stat

from . import i18n, tasks
from .models import NodeRun, StageRun, Tale


@staff_member_required
def workers(request):
    running = list(Tale.objects.filter(status=Tale.Status.RUNNING).select_related("owner")
                   .order_by("heartbeat"))
    stages = dict(StageRun.objects.filter(tale__in=running, status=StageRun.Status.RUNNING)
                  .values_list("tale_id", "stage"))
    held: dict[str, list[Tale]] = {}
    for tale in running:
        tale.stage = i18n.stage_label(stages[tale.pk]) if tale.pk in stages else ""
        held.setdefault(tale.worker or "—", []).append(tale)
    nodes = list(NodeRun.objects.filter(tale__status=Tale.Status.RUNNING, state__in=[
        NodeRun.State.QUEUED, NodeRun.State.RUNNING]).exclude(state=NodeRun.State.QUEUED, sent=False)
        .select_related("tale__owner").order_by("cluster", "worker", "stage", "scene"))
    for node in nodes:
        node.label = i18n.stage_label(node.stage)
    names = list(dict.fromkeys([*tasks.cluster_names(), *(w.split(" ")[0] for w in held if w != "—")]))
    clusters = [{"name": name, "queued": get_broker(name).queue_size(),
                 "running": sum(len(tales) for worker, tales in held.items() if worker.split(" ")[0] == name),
                 "nodes": sum(node.state == NodeRun.State.RUNNING and node.cluster == name for node in nodes)}
                for name in names]
    processes = []
    for stat in Stat.get_all():  # in the broker (Redis); with the ORM broker in each process's own cache
        pids = {f"{stat.host}:{pid}" for pid in stat.workers}
        serving = sorted({worker.split(" ")[0] for worker in held if worker.split(" ")[-1] in pids})
        processes.append({"id": humanize(stat.cluster_id.hex), "host": stat.host, "pid": stat.pid,
                          "workers": stat.workers, "status": stat.status, "since": stat.tob,
                          "clusters": ", ".join(serving) or "—"})
    return render(request, "tales/workers.html", {
        "clusters": clusters, "held": sorted(held.items()), "nodes": nodes, "processes": processes})
