from django.http import Http404
from django.urls import path
from wagtail import hooks

from . import views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("media-library/<int:media_id>/retry/", views.retry, name="media_library_retry"),
    ]


@hooks.register("before_serve_document")
def refuse_documents_the_user_may_not_see(document, request):
    """Training documents follow the same rule as media: editors, or whoever the hook allows."""
    if not request.user.has_perm("media_library.view_document", document):
        raise Http404
