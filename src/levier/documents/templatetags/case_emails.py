"""`{% case_emails case %}`: the emails section of a case page (the outbox rows about the
case, resending, sending an email from a template), without cases importing documents."""

from django import template

from levier.documents.emails import case_emails_panel

register = template.Library()


@register.inclusion_tag("documents/_case_emails.html", takes_context=True)
def case_emails(context, case):
    return {
        "panel": case_emails_panel(case),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
