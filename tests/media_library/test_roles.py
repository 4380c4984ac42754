from wagtail.models import Collection, GroupCollectionPermission
from wagtail.permissions import policy_registry

from media_library.models import TrainingDocument, TrainingMedia


def collection_permissions(role: str) -> set[str]:
    return set(
        GroupCollectionPermission.objects.filter(
            group__name=role, collection=Collection.get_first_root_node()
        ).values_list("permission__codename", flat=True)
    )


def test_lecturers_add_and_change_media_and_documents_but_do_not_delete(db):
    granted = collection_permissions("lecturer")
    assert {
        "add_media",
        "change_media",
        "add_document",
        "change_document",
        "choose_document",
    } <= granted
    assert not {"delete_media", "delete_document"} & granted


def test_coordinators_may_also_delete(db):
    assert {"delete_media", "delete_document"} <= collection_permissions("coordinator")


def test_policies_follow_the_roles(lecturer, agent):
    media_policy = policy_registry.get_by_type(TrainingMedia)
    document_policy = policy_registry.get_by_type(TrainingDocument)
    assert media_policy.user_has_permission(lecturer.user, "add")
    assert document_policy.user_has_permission(lecturer.user, "choose")
    assert not media_policy.user_has_any_permission(agent.user, ["add", "change", "delete"])
