"""Admin forms: wagtailmedia's and wagtaildocs' upload forms with our checks.

They are plugged in through ``WAGTAILMEDIA["MEDIA_FORM_BASE"]`` and
``WAGTAILDOCS_DOCUMENT_FORM_BASE``, so wagtailmedia's add/edit views and its chooser upload, and
Wagtail's document views (multiple upload included), all run them.
"""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from wagtail.documents.forms import BaseDocumentForm
from wagtailmedia.forms import BaseMediaForm

from . import services
from .models import KINDS_BY_TYPE, DocumentKind
from .uploads import check_document_upload, inspect_media_upload
from .validators import chapters_as_lines, parse_chapter_lines


class ChaptersField(forms.Field):
    """Chapters typed one per line (``05:30 产代寿政策要点``), stored as a JSON list."""

    widget = forms.Textarea(attrs={"rows": 5, "placeholder": "00:00 开场\n05:30 产代寿政策要点"})

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            _("可选。每行一个章节：开始时间（分:秒 或 时:分:秒）和标题，按时间先后排列。"),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return chapters_as_lines(value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return parse_chapter_lines(value or "")


class TrainingMediaForm(BaseMediaForm):
    chapters = ChaptersField(label=_("章节"), required=False)

    class Meta(BaseMediaForm.Meta):
        widgets = {**BaseMediaForm.Meta.widgets, "subtitles": forms.ClearableFileInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.probe = None
        self.generated_poster = (
            self.instance.thumbnail.name if self.instance.poster_generated else ""
        )
        if "kind" in self.fields and self.instance.type in KINDS_BY_TYPE:
            kinds = KINDS_BY_TYPE[self.instance.type]
            self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]
            if not self.instance.pk:
                self.initial.setdefault("kind", kinds[0].value)

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if isinstance(file, UploadedFile):
            self.probe = inspect_media_upload(file, media_type=self.instance.type)
            # The model's clean() checks chapter marks against the duration of the new file.
            self.instance.duration = self.probe.duration
        return file

    def save(self, commit=True):
        if self.generated_poster and "thumbnail" in self.changed_data:
            services.media_discard_generated_poster(media=self.instance, name=self.generated_poster)
        if self.probe is not None:
            services.media_record_probe(media=self.instance, probe=self.probe)
        media = super().save(commit=commit)
        if commit and self.probe is not None:
            services.media_enqueue_processing(media=media)
        return media


class TrainingDocumentForm(BaseDocumentForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail's multiple upload posts only title, file and collection: let the kind default.
        if "kind" in self.fields:
            self.fields["kind"].required = False

    def clean_kind(self):
        return self.cleaned_data.get("kind") or DocumentKind.UNIFIED_MATERIAL

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if isinstance(file, UploadedFile):
            check_document_upload(file)
        return file
