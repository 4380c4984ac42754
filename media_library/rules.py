"""Who may watch a media item or download a training document.

Editors (anyone who may change the item in the admin, through Wagtail's collection permissions)
always may. Everyone else may when a function registered under the Wagtail hook
``media_library_user_can_view`` returns True for ``(user, item)``: the media library does not
know about courses (imports point the other way), so the courses app registers the hook that says
"the item is used in a lesson of a course this user may see". ``item`` is a ``TrainingMedia`` or a
``TrainingDocument``.
"""

import rules
from wagtail import hooks
from wagtail.permissions import policy_registry

VIEW_HOOK = "media_library_user_can_view"


@rules.predicate
def can_edit_in_admin(user, item):
    if item is None:
        return False
    policy = policy_registry.get_by_type(type(item))
    return policy.user_has_permission_for_instance(user, "change", item)


@rules.predicate
def allowed_by_hook(user, item):
    return item is not None and any(fn(user, item) for fn in hooks.get_hooks(VIEW_HOOK))


can_view = rules.is_authenticated & rules.is_active & (can_edit_in_admin | allowed_by_hook)

rules.add_perm("media_library.view_media", can_view)
rules.add_perm("media_library.view_document", can_view)
rules.add_perm("media_library.change_media", rules.is_authenticated & can_edit_in_admin)
