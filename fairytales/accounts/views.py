from urllib.parse import urlsplit

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.shortcuts import redirect, render

from .addresses import client_address
from .throttle import SignupLimited, check_signup, signup_atomically


def signup(request):
    """Make an account and log in; at most SIGNUPS_PER_HOUR accounts per address per hour (throttle.py).

    Log-in needs no view of its own: django-axes limits it (settings.AUTHENTICATION_BACKENDS, throttle.py).
    """
    if request.user.is_authenticated:
        return redirect("tales:gallery")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST":
        address = client_address(request)
        try:
            check_signup(address)  # before the form: a refused address learns nothing about names taken
            if form.is_valid():
                user = signup_atomically(address, form.save)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("tales:new_tale")
        except SignupLimited as limited:
            form.errors.clear()
            form.add_error(None, str(limited))
            return render(request, "registration/signup.html", {"form": form}, status=429)
    return render(request, "registration/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Django's log-in form. Someone signed in already goes where they were going, not to the form again; a
    ``next`` that leads back to this form leads to the default page instead (Django answers that loop with
    an error, a 500 for a crafted link)."""

    redirect_authenticated_user = True

    def get_redirect_url(self):
        url = super().get_redirect_url()
        return "" if url and urlsplit(url).path == self.request.path else url
