from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.forms import ValidationError
from django.shortcuts import redirect, render

LOCKOUT_SECONDS = 15 * 60


def signup(request):
    if request.user.is_authenticated:
        return redirect("tales:gallery")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
        return redirect("tales:new_tale")
    return render(request, "registration/signup.html", {"form": form})


class RateLimitedAuthenticationForm(AuthenticationForm):
    """Log-in that refuses, for a while, a user name and address that failed too often (password guessing)."""

    def clean(self):
        key = self._attempts_key()
        if cache.get(key, 0) >= settings.LOGIN_ATTEMPTS:
            raise ValidationError("Слишком много неудачных попыток входа. Попробуйте через 15 минут.",
                                  code="rate_limited")
        try:
            return super().clean()
        except ValidationError:
            cache.add(key, 0, LOCKOUT_SECONDS)
            cache.incr(key)
            raise

    def _attempts_key(self) -> str:
        username = (self.data.get("username") or "").strip().lower()[:150]
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        return f"login-failures:{address}:{username}"


class RateLimitedLoginView(LoginView):
    form_class = RateLimitedAuthenticationForm
