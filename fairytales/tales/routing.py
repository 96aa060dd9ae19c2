from django.urls import path

from .consumers import TaleProgressConsumer

websocket_urlpatterns = [
    path("ws/tales/<uuid:tale_id>/", TaleProgressConsumer.as_asgi()),
]
