from django.urls import path

from . import files, staff, views

app_name = "tales"

urlpatterns = [
    path("", views.gallery, name="gallery"),
    path("tales/new/", views.new_tale, name="new_tale"),
    path("tales/mine/", views.my_tales, name="my_tales"),
    path("tales/<uuid:tale_id>/", views.tale_detail, name="tale"),
    path("tales/<uuid:tale_id>/retry/", views.retry, name="retry"),
    path("tales/<uuid:tale_id>/redo/", views.redo, name="redo"),
    path("tales/<uuid:tale_id>/cast/", views.edit_cast, name="edit_cast"),
    path("tales/<uuid:tale_id>/cancel/", views.cancel, name="cancel"),
    path("tales/<uuid:tale_id>/versions/<int:artifact_id>/", views.choose_version, name="choose_version"),
    path("tales/<uuid:tale_id>/versions/<int:artifact_id>/shots/<int:shot>/", views.choose_shot,
         name="choose_shot"),
    path("tales/<uuid:tale_id>/delete/", views.delete, name="delete"),
    path("tales/<uuid:tale_id>/visibility/", views.visibility, name="visibility"),
    path("tales/<uuid:tale_id>/files/<str:name>", files.tale_file, name="tale_file"),
    path("staff/workers/", staff.workers, name="workers"),
]
