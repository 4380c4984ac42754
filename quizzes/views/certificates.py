"""Certificates on the front end: an agent's own, a manager's scope, the PDF, the public check.

The verification page is public (no login) and shows only what the certificate states and
whether it is valid, expired or revoked; a code that names nothing shows "not found" and nothing
else. Codes are unguessable (100 random bits), and each client address gets
``QUIZZES_VERIFY_RATE_PER_MINUTE`` lookups a minute on top.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from organization.models import Role
from organization.scope import scope_unit

from .. import certificate_selectors as selectors
from ..certificates import certificate_sheet, notice_days, verification_code_display
from ..models import CertificateStatus, Certification
from ..pdf import CertificateFontMissing, render_certificate_pdf

TEAM_PAGE_SIZE = 50


def _active_person(request):
    person = getattr(request.user, "person", None)
    return person if person is not None and person.is_active else None


def home_panel(request, panels: list[dict]) -> None:
    """``construct_person_home_panels``: an agent's certificates expiring within the window
    (only when something is, one query); for managers and coordinators, a link to their
    subtree's certificates (no query).
    """
    if scope_unit(request.user) is not None:
        panels.append(
            {
                "template": "includes/home_panel.html",
                "title": _("证书情况"),
                "text": _("查看本机构及下级机构人员的交叉销售资格证书、到期和撤销情况。"),
                "url": reverse("certificates:team"),
                "link_text": _("查看证书情况"),
            }
        )
    person = _active_person(request)
    if person is None or not person.has_role(Role.AGENT):
        return
    today = timezone.localdate()
    expiring = selectors.certificates_expiring_for_person(person=person, today=today)
    if expiring:
        panels.append(
            {
                "template": "quizzes/panels/certificates_expiring.html",
                "certificates": [(c, c.days_left(today)) for c in expiring],
                "days": notice_days(),
            }
        )


@require_safe
def my_certificates(request):
    person = _active_person(request)
    rows = None
    if person is not None:
        rows = selectors.certificates_of_person(person=person, today=timezone.localdate())
    return render(
        request,
        "quizzes/my_certificates.html",
        {"person": person, "rows": rows, "days": notice_days()},
    )


@require_safe
def team_certificates(request):
    """Managers and coordinators: the certificates of their subtree, filtered, paginated."""
    unit = scope_unit(request.user)
    if unit is None:
        raise Http404
    today = timezone.localdate()
    certification = None
    certification_id = request.GET.get("certification", "")
    if certification_id.isdecimal():
        certification = Certification.objects.filter(pk=certification_id).first()
    status = request.GET.get("status", "")
    if status not in CertificateStatus.values:
        status = ""
    certificates = selectors.certificates_in_scope(
        user=request.user, today=today, certification=certification, status=status
    )
    page = Paginator(certificates, TEAM_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quizzes/team_certificates.html",
        {
            "unit": unit,
            "page": page,
            "rows": [(c, c.status_on(today), c.days_left(today)) for c in page.object_list],
            "certifications": Certification.objects.order_by("name"),
            "statuses": CertificateStatus.choices,
            "selected_certification": certification,
            "selected_status": status,
        },
    )


@require_safe
def certificate_pdf(request, pk: int):
    """The PDF, for the holder and for managers of their subtree; anyone else gets a 404."""
    certificate = selectors.certificate_with_details(pk=pk)
    if certificate is None or not request.user.has_perm(
        "quizzes.download_certificate", certificate
    ):
        raise Http404
    if certificate.revoked_at is not None:
        messages.error(request, _("这张证书已撤销，不能下载。"))
        return redirect("certificates:mine")
    sheet = certificate_sheet(certificate, base_url=request.build_absolute_uri("/"))
    try:
        pdf = render_certificate_pdf(sheet)
    except CertificateFontMissing as missing:
        messages.error(request, str(missing))
        return redirect("certificates:mine")
    filename = _("%(name)s-%(serial)s.pdf") % {
        "name": certificate.certification.name,
        "serial": certificate.serial,
    }
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition_header(True, filename),
            "Cache-Control": "private, no-store",
        },
    )


def _over_rate_limit(request) -> bool:
    limit = int(settings.QUIZZES_VERIFY_RATE_PER_MINUTE)
    minute = int(timezone.now().timestamp() // 60)
    key = f"quizzes:verify:{request.META.get('REMOTE_ADDR', '')}:{minute}"
    cache.add(key, 0, timeout=90)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        count = 1
    return count > limit


@login_not_required
@require_safe
def verify_lookup(request):
    """The form on /verify/: a typed code goes to its page."""
    code = "".join(ch for ch in request.GET.get("code", "") if ch.isalnum() or ch == "-")[:40]
    if code:
        return redirect("certificates:verify", code=code)
    return render(request, "quizzes/verify.html", {"lookup": True})


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_not_required
@require_safe
def verify(request, code: str):
    if _over_rate_limit(request):
        return _private(render(request, "quizzes/verify.html", {"rate_limited": True}, status=429))
    certificate = selectors.certificate_by_code(code=code)
    if certificate is None:
        return _private(render(request, "quizzes/verify.html", {"not_found": True}, status=404))
    status = certificate.status_on(timezone.localdate())
    context = {
        "certificate": certificate,
        "status": status,
        "status_label": CertificateStatus(status).label,
        "code": verification_code_display(certificate.verification_code),
    }
    return _private(render(request, "quizzes/verify.html", context))
