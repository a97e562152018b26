"""Checking a template at upload: Jinja syntax, merge fields, real DOCX bytes.

A template is refused with a message naming the line (or paragraph) of a syntax
error, or the unknown merge field and the known ones; `check_*` return the merge
fields the template uses ('dossier.reference', 'date_du_jour'...).
"""

from __future__ import annotations

import io
import re
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from jinja2 import TemplateSyntaxError, meta, nodes

from levier.cases.models import Procedure

from .context import context_skeleton, known_field_names
from .render import environment

DOCX_MAIN_PART = "word/document.xml"

# Tags that reach other templates or the engine's internals: a template stands alone.
FORBIDDEN_NODES = {
    nodes.Include: "include",
    nodes.Extends: "extends",
    nodes.Import: "import",
    nodes.FromImport: "from",
}
# Tags of Jinja extensions levier does not enable, refused by name rather than as syntax.
FORBIDDEN_EXTENSION_TAGS = ("debug", "do", "trans", "pluralize", "i18n")
_UNKNOWN_TAG = re.compile(r"Encountered unknown tag '(\w+)'")


def _refuse_tag(tag: str, line: int | None) -> ValidationError:
    return ValidationError(
        _(
            "The tag “{%% %(tag)s %%}” is not allowed in a template (line %(line)s): a "
            "template cannot load other templates nor inspect the engine. Copy the text "
            "you need into this template."
        ),
        code="forbidden_tag",
        params={"tag": tag, "line": line},
    )


def refuse_forbidden_tags(tree: nodes.Template, *, line_offset: int = 0) -> None:
    """ValidationError naming the first tag that loads another template, and its line."""
    found = [
        (node.lineno, tag)
        for node_type, tag in FORBIDDEN_NODES.items()
        for node in tree.find_all(node_type)
    ]
    if found:
        line, tag = min(found)
        raise _refuse_tag(tag, max(line + line_offset, 1))


def refuse_extension_tag(error: TemplateSyntaxError, *, line_offset: int = 0) -> None:
    unknown = _UNKNOWN_TAG.search(error.message or "")
    if unknown and unknown.group(1) in FORBIDDEN_EXTENSION_TAGS:
        raise _refuse_tag(unknown.group(1), max((error.lineno or 1) + line_offset, 1)) from error


def _used_fields(tree: nodes.Template, known: dict[str, set[str] | None]) -> list[str]:
    """The merge fields used, checked against `known`; ValidationError on the first unknown."""
    used: set[str] = set()
    attribute_nodes = {id(node.node) for node in tree.find_all((nodes.Getattr, nodes.Getitem))}
    undeclared = meta.find_undeclared_variables(tree)
    for name in sorted(undeclared):
        if name not in known:
            _refuse_unknown(name, known)
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        base = node.node
        if not (isinstance(base, nodes.Name) and base.name in undeclared):
            continue
        if isinstance(node, nodes.Getattr):
            attribute = node.attr
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            attribute = node.arg.value
        else:
            used.add(base.name)
            continue
        sub = known[base.name]
        field = f"{base.name}.{attribute}"
        if sub is None or attribute not in sub:
            _refuse_unknown(field, known)
        used.add(field)
    for node in tree.find_all(nodes.Name):
        if node.name in undeclared and id(node) not in attribute_nodes:
            used.add(node.name)
    return sorted(used)


def _refuse_unknown(field: str, known: dict[str, set[str] | None]) -> None:
    raise ValidationError(
        _("Unknown merge field “%(field)s”. Known fields: %(known)s."),
        code="unknown_field",
        params={"field": field, "known": ", ".join(known_field_names(known))},
    )


def parse_template(jinja_environment, source: str):
    """The template's syntax tree, or a ValidationError naming the line of the mistake."""
    try:
        tree = jinja_environment.parse(source)
    except TemplateSyntaxError as error:
        refuse_extension_tag(error)
        raise ValidationError(
            _("Template syntax error at line %(line)s: %(message)s."),
            code="syntax",
            params={"line": error.lineno, "message": error.message},
        ) from error
    refuse_forbidden_tags(tree)
    return tree


def check_html(body: str, procedure: Procedure | None) -> list[str]:
    """Validate an HTML template body; return the merge fields it uses."""
    return _used_fields(parse_template(environment(), body), context_skeleton(procedure))


def is_docx(content: bytes) -> bool:
    """Sniff the bytes: a ZIP package holding a Word main document part."""
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return DOCX_MAIN_PART in names and "[Content_Types].xml" in names


def _docx_xml(template) -> str:
    """The template's Jinja source as docxtpl renders it: body, headers and footers,
    one paragraph per line (so a syntax error's line number is a paragraph number)."""
    from docx.oxml import parse_xml

    xml = template.patch_xml(template.xml_to_string(template.docx._element.body))
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for relation in template.docx._part.rels.values():
            if relation.reltype == uri and relation.target_part.blob:
                xml += template.patch_xml(
                    template.xml_to_string(parse_xml(relation.target_part.blob))
                )
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def check_docx(content: bytes, procedure: Procedure | None, *, name: str = "") -> list[str]:
    """Validate a DOCX template's bytes; return the merge fields it uses."""
    from docxtpl import DocxTemplate

    if not is_docx(content):
        raise ValidationError(
            _("“%(name)s” is not a DOCX file: save it from your word processor as Word (.docx)."),
            code="not_docx",
            params={"name": name or "document"},
        )
    template = DocxTemplate(io.BytesIO(content))
    try:
        template.init_docx()
        xml = _docx_xml(template)
        tree = environment().parse(xml)
        top_level = template.get_undeclared_template_variables(jinja_env=environment())
    except TemplateSyntaxError as error:
        refuse_extension_tag(error, line_offset=-1)
        raise ValidationError(
            _("Template syntax error in paragraph %(line)s: %(message)s."),
            code="syntax",
            params={"line": max((error.lineno or 1) - 1, 1), "message": error.message},
        ) from error
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise ValidationError(
            _("“%(name)s” is a damaged DOCX file that cannot be opened."),
            code="not_docx",
            params={"name": name or "document"},
        ) from error
    refuse_forbidden_tags(tree, line_offset=-1)  # lines are paragraphs, after a first line
    known = context_skeleton(procedure)
    for unknown in sorted(top_level - set(known)):
        _refuse_unknown(unknown, known)
    return _used_fields(tree, known)
