from django.utils.functional import SimpleLazyObject

from .selectors import unread_count_for_patient_account


def unread_messages(request):
    """A signed-in patient's unread messages, for the navigation's "Messages" link: counted
    only when a page shows it, in one query, after the page's own work (so the conversation
    page, which marks them read, shows none)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_patient:
        return {}
    return {
        "nav_unread_messages": SimpleLazyObject(lambda: unread_count_for_patient_account(user=user))
    }
