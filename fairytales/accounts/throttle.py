"""Log-in and sign-up limits, kept in the site's database: shared by every web process, kept across restarts.

Log-in is django-axes (its authentication backend refuses a locked user name or address before any password
is checked, on /accounts/login/ and /admin/login/ alike) with its database handler, given one limit per
lockout parameter: a user name is locked after ``LOGIN_ATTEMPTS`` failures from any addresses, an address
after ``LOGIN_ATTEMPTS_PER_ADDRESS`` failures across user names, each for ``AXES_COOLOFF_TIME`` (15 minutes)
after its last counted failure. A success resets nothing (a log-in into one's own account does not clear the
failures an address made on others). Sign-up: at most ``SIGNUPS_PER_HOUR`` accounts per address per hour.
"""

from __future__ import annotations

import math
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from .models import SignUp

SIGNUP_WINDOW = timedelta(hours=1)
# axes compares one number with AXES_FAILURE_LIMIT; the handler reports the failures as a percentage of the
# nearest of its own limits, so axes locks exactly when some count reaches its limit.
FAILURE_SCALE = 100


def lockout_limits() -> dict[str, int]:
    return {"username": settings.LOGIN_ATTEMPTS, "ip_address": settings.LOGIN_ATTEMPTS_PER_ADDRESS}


class LoginThrottle(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for each lockout parameter (a user name, an address)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        limits = lockout_limits()
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            limit = limits[parameter] if isinstance(parameter, str) else min(limits[p] for p in parameter)
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            worst = max(worst, failures * FAILURE_SCALE // max(limit, 1))
        return worst


def in_minutes(count: int) -> str:
    """"15 минут", "1 минуту", "3 минуты" (the Russian catalog has the three forms), "15 minutes"."""
    return ngettext("{count} минуту", "{count} минут", count).format(count=count)


def lockout_message() -> str:
    return _("Слишком много неудачных попыток входа. Попробуйте через {wait}.").format(
        wait=in_minutes(round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)))


def lockout_response(request, *args, **kwargs):
    """What a locked user name or address gets, on the site's and the admin's log-in alike: the log-in page
    with the reason, HTTP 429 (axes calls this from its middleware, with arguments that differ by version)."""
    context = {"form": AuthenticationForm(request), "locked_out": lockout_message(),
               "next": request.POST.get("next", "") or request.GET.get("next", "")}
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


class SignupLimited(Exception):
    """This address made ``SIGNUPS_PER_HOUR`` accounts in the last hour."""

    def __init__(self, wait_minutes: int):
        self.wait_minutes = wait_minutes
        super().__init__(_("Слишком много регистраций с вашего адреса за последний час. Попробуйте через {wait}.")
                         .format(wait=in_minutes(wait_minutes)))


def check_signup(address: str) -> None:
    """Raise SignupLimited when ``address`` may make no more accounts now."""
    now = timezone.now()
    recent = SignUp.objects.filter(address=address, created_at__gt=now - SIGNUP_WINDOW)
    if recent.count() >= settings.SIGNUPS_PER_HOUR:
        oldest = recent.order_by("created_at").values_list("created_at", flat=True).first() or now
        free_at = oldest + SIGNUP_WINDOW
        raise SignupLimited(max(1, math.ceil((free_at - now).total_seconds() / 60)))


def record_signup(address: str) -> None:
    """Count one account made from ``address`` (and forget those older than the window)."""
    now = timezone.now()
    SignUp.objects.filter(created_at__lte=now - SIGNUP_WINDOW).delete()
    SignUp.objects.create(address=address, created_at=now)


def signup_atomically(address: str, save):
    """Check the limit, make the account and count it in one transaction (on SQLite, whose transactions here
    take the write lock at their start, two processes cannot both pass the check for the last place)."""
    with transaction.atomic():
        check_signup(address)
        user = save()
        record_signup(address)
    return user
