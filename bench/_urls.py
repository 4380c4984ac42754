"""The benchmark server's URLconf: ``bench/bare/`` before the whole site (``config.urls``).

The bare view is the baseline of the throughput ratios: the same middleware as every page (the
session read, and saved when its idle expiry is due; the user and their person loaded; login
required; CSRF checked on a POST), and nothing else.
"""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_http_methods


@require_http_methods(["GET", "POST"])
def bare(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("config.urls")),
]
