"""`{% case_documents case %}`: the generated-documents section of a case page.

A tag rather than a view context key, so that the cases app does not import documents
(documents builds on cases, not the other way round).
"""

from django import template

from levier.documents.selectors import case_documents_panel

register = template.Library()


@register.inclusion_tag("documents/_case_documents.html", takes_context=True)
def case_documents(context, case):
    return {"panel": case_documents_panel(case), "request": context.get("request"),
            "csrf_token": context.get("csrf_token")}  # fmt: skip
