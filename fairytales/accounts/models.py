from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class SignUp(models.Model):
    """One account made from an address, counted by SIGNUPS_PER_HOUR; rows older than an hour are dropped.

    It names no user: deleting the account does not give its place back.
    """

    address = models.CharField(max_length=45, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = gettext_lazy("регистрация")
        verbose_name_plural = gettext_lazy("регистрации")

    def __str__(self) -> str:
        return f"{self.address} {self.created_at:%Y-%m-%d %H:%M}"
