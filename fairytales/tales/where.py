"""Which worker this process is: the django-q2 cluster it serves, its machine and process."""

import os
import socket


def this_cluster() -> str:
    from django_q.conf import Conf  # noqa: PLC0415 - read in the worker, where Q_CLUSTER_NAME is set

    return Conf.CLUSTER_NAME


def this_worker() -> str:
    """"cluster host:pid" of this process (the staff's workers page shows it; each result says who made it)."""
    return f"{this_cluster()} {socket.gethostname()}:{os.getpid()}"
