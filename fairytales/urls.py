from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("fairytales.accounts.urls")),
    path("", include("fairytales.tales.urls")),
]
