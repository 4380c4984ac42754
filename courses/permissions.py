"""Who changes which course pages in the Wagtail admin.

Wagtail's page permissions come from ``GroupPagePermission`` rows and flow down the tree. The
lecturer group holds add/change/publish/lock/unlock on the course catalogue and on the
morning-meeting index (``grant_section_page_permissions``, run after every ``migrate`` and when such
an index page is created). On top of that, each company-owned page (course, lesson, meeting) hands
Wagtail a permission tester that drops every permission when the page's company is not the user's
(``Page.permissions_for_user`` is Wagtail's own extension point, used by every admin page view:
edit, publish, unpublish, delete, move, copy, revisions, history, preview, lock, workflow actions,
bulk actions). The index pages themselves can only be added to, never changed, by non-superusers.

A person at the group (集团) — the group lecturer corps — works on every company's pages; everyone
else only on their own company's. The company is the one of the person's org unit.
"""

from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db.models import QuerySet
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission
from wagtail.models.pages import PagePermissionTester

from organization.models import OrgUnit, OrgUnitKind, Role
from organization.roles import grant

# Page permissions the lecturer group holds on the catalogue and the morning-meeting index.
LECTURER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
# Lecturers upload course covers and lesson images into the root collection.
LECTURER_IMAGE_PERMISSIONS = ["add_image", "choose_image"]
# Coordinators manage mandatory assignments (scoped to their subtree by the admin policy).
COORDINATOR_PERMISSIONS = [
    "courses.add_assignment",
    "courses.change_assignment",
    "courses.view_assignment",
]


def _person(user):
    person = getattr(user, "person", None)
    if person is None or not person.is_active:
        return None
    return person


def user_may_edit_company(user, company_id: int | None) -> bool:
    """True when ``user`` may change pages owned by ``company_id`` (None: group-wide pages)."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    person = _person(user)
    if person is None:
        return False
    if person.org_unit.kind == OrgUnitKind.GROUP:
        return True
    return company_id is not None and person.org_unit.company_id == company_id


def companies_user_may_edit(user) -> QuerySet:
    """The companies whose pages ``user`` may change: every company at the group, else their own."""
    companies = OrgUnit.objects.filter(kind=OrgUnitKind.COMPANY)
    if user.is_superuser:
        return companies
    person = _person(user)
    if person is None:
        return companies.none()
    if person.org_unit.kind == OrgUnitKind.GROUP:
        return companies
    return companies.filter(pk=person.org_unit.company_id)


class CompanyPagePermissionTester(PagePermissionTester):
    """Wagtail's tester, holding no permission at all on another company's page."""

    def __init__(self, user, page, *, company_id: int | None):
        super().__init__(user, page)
        if hasattr(self, "permissions") and not user_may_edit_company(user, company_id):
            self.permissions = set()


class SectionPagePermissionTester(PagePermissionTester):
    """The catalogue and the meeting index: others add pages beneath them, and do nothing else.

    The lecturer group's permissions are granted here and flow down to the courses; on the index
    page itself only ``can_add_subpage`` and ``can_publish_subpage`` use them.
    """

    def _superuser(self) -> bool:
        return self.user.is_active and self.user.is_superuser

    def can_edit(self):
        return self._superuser() and super().can_edit()

    def can_delete(self, ignore_bulk=False):
        return self._superuser() and super().can_delete(ignore_bulk=ignore_bulk)

    def can_unpublish(self):
        return self._superuser() and super().can_unpublish()

    def can_publish(self):
        return self._superuser() and super().can_publish()

    def can_lock(self):
        return self._superuser()

    def can_unlock(self):
        return self._superuser()

    def can_reorder_children(self):
        return self._superuser()

    def can_copy(self):
        return False

    def can_move(self):
        return self._superuser()


def grant_section_page_permissions() -> None:
    """Give the lecturer group its page permissions on every course catalogue and meeting index.

    Idempotent; runs after ``migrate`` and after such an index page is created in the admin.
    """
    from .models import CourseIndexPage, MorningMeetingIndexPage

    group, _created = Group.objects.get_or_create(name=Role.LECTURER)
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=LECTURER_PAGE_PERMISSIONS
        )
    )
    for model in (CourseIndexPage, MorningMeetingIndexPage):
        for page in model.objects.all():
            for permission in permissions:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=page, permission=permission
                )


def grant_lecturer_image_permissions() -> None:
    group, _created = Group.objects.get_or_create(name=Role.LECTURER)
    root = Collection.get_first_root_node()
    if root is None:
        return
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailimages", codename__in=LECTURER_IMAGE_PERMISSIONS
    ):
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=permission
        )


def ensure_course_permissions(**kwargs) -> None:
    """post_migrate: the grants above and the coordinators' assignment permissions."""
    from django.apps import apps

    # As in organization.roles: some apps make their permissions after this handler runs.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    grant(Role.COORDINATOR, COORDINATOR_PERMISSIONS)
    grant_section_page_permissions()
    grant_lecturer_image_permissions()
