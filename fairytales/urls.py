from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg", permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the page's language switcher
    path("accounts/", include("fairytales.accounts.urls")),
    path("", include("fairytales.tales.urls")),
]
