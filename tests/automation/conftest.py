from tests.documents.conftest import (  # noqa: F401  (fixtures shared with documents)
    admin_agent,
    case,
    html_template,
    organisation,
    procedure,
)
