"""A page for a 405: an action's address opened in the browser (a bookmarked or typed ``…/delete/``) gets
words and a way back, not the browser's own error page. Django's ``require_POST`` answers with no body."""

from __future__ import annotations

from django.shortcuts import render


class ExplainNotAllowed:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.method not in ("GET", "HEAD"):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page
