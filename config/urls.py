from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog, set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    # One login page for the site and the admin: ours, throttled and in Chinese.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="login", query_string=True)),
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("media-files/", include("media_library.urls")),
    path("", include("organization.urls")),
    path("", include("courses.urls")),
    path("", include("quizzes.certificate_urls")),
    path("", include("quizzes.urls")),
    path("", include("lecturer_portal.urls")),
    path("", include("reports.urls")),
]

if settings.MEDIA_URL.startswith("/"):
    # Local media: Wagtail images for logged-in users only (media_library/README.md); audio,
    # video and documents go through their own permission-checking views, never MEDIA_URL.
    from media_library.views import stored_file

    urlpatterns += [
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", stored_file, name="stored_media")
    ]

# Wagtail's page tree last: it catches every path not matched above.
urlpatterns += [path("", include(wagtail_urls))]
