"""Create the course catalogue (课程目录) and the morning-meeting index (晨会) under the default
site's root page, so a fresh site has both; the lecturer group's page permissions on them are
granted after ``migrate`` (courses.permissions). Creates nothing where they already exist.
"""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4
SECTIONS = [
    ("courseindexpage", "课程目录", "courses"),
    ("morningmeetingindexpage", "晨会", "morning-meetings"),
]


def _next_step(step: str | None) -> str:
    number = 1 if step is None else int(step, 36) + 1
    digits = ""
    for _position in range(STEPLEN):
        number, digit = divmod(number, 36)
        digits = ALPHABET[digit] + digits
    return digits


def create_sections(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    Page = apps.get_model("wagtailcore", "Page")
    ContentType = apps.get_model("contenttypes", "ContentType")
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return
    root = Page.objects.get(pk=site.root_page_id)
    now = timezone.now()
    for model_name, title, slug in SECTIONS:
        model = apps.get_model("courses", model_name)
        siblings = Page.objects.filter(path__startswith=root.path, depth=root.depth + 1)
        if model.objects.exists() or siblings.filter(slug=slug).exists():
            continue
        last = siblings.order_by("-path").first()
        content_type, _created = ContentType.objects.get_or_create(
            app_label="courses", model=model_name
        )
        model.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=content_type,
            path=root.path + _next_step(last.path[-STEPLEN:] if last else None),
            depth=root.depth + 1,
            numchild=0,
            url_path=f"{root.url_path}{slug}/",
            live=True,
            has_unpublished_changes=False,
            first_published_at=now,
            last_published_at=now,
            locale_id=root.locale_id,
        )
        Page.objects.filter(pk=root.pk).update(numchild=F("numchild") + 1)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create_sections, migrations.RunPython.noop)]
