from django.conf import settings

from . import policy


def shell(request):
    """What every page's header needs: the service name and the agent's unread count."""
    context = {"SERVICE_NAME": "levier", "BASE_URL": settings.BASE_URL}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["unread_notifications"] = user.notifications.filter(read_at__isnull=True).count()
        context["may"] = policy.ActionsOf(user)  # the navigation's role-only links
    return context
