"""Real PDF supporting documents for the demo, printed with fpdf2.

Seven kinds, each printing one value that a document check compares with the
declared data:

| kind          | schema file field | value printed                       | declared field        |
|---------------|-------------------|-------------------------------------|-----------------------|
| tax_notice    | tax_notice        | revenu fiscal de référence (+ parts)| reference_tax_income  |
| invoice       | invoice           | total HT (with the supplier SIRET)  | project_cost          |
| kbis          | kbis              | SIREN of the company                | siret (first 9 digits)|
| budget        | budget_file       | total of the provisional budget     | project_budget        |
| payslip       | payslip           | net à payer avant impôt             | net_pay               |
| rib           | rib               | IBAN                                | iban                  |
| address_proof | address_proof     | street line of the address (or the  | address (or holder)   |
|               |                   | holder), on an energy bill or a     |                       |
|               |                   | rent receipt                        |                       |

Tax notices, payslips and address proofs may carry a signed 2D-Doc (`two_d_doc`, made
by `levier.demo.twoddoc`), drawn as a DataMatrix at the top right of the page; the
truth then says what the 2D-Doc signs (`DocumentTruth.signed`).

A spec says what was declared and what the document prints; they differ for a known
share of documents (`MISMATCH_RATE`). That truth is returned with each printed
document (`PrintedDocument.truth`) and written in the PDF's keywords, so tests and
the controls app can check what they find. Every page carries a SPÉCIMEN banner:
these are fictitious documents, not forgeries of real ones.

One module per kind of document (`tax_notice`, `invoice`, `kbis`, `budget`,
`payslip`, `rib`, `address_proof`), on the layouts of `page`; `truth` holds what a
document proves, `printing` prints specs in batches. Import from the package:
`from levier.demo.pdfs import TaxNoticeSpec, print_documents`.
"""

from .address_proof import AddressProofSpec
from .budget import BudgetSpec
from .common import (
    KEYWORD_PREFIX,
    MISMATCH_RATE,
    MONTHS,
    SPECIMEN,
    format_date,
    format_euros,
    format_iban,
    format_siren,
    format_siret,
    money,
)
from .invoice import InvoiceSpec
from .kbis import KbisSpec
from .page import TWO_D_DOC_SIZE_MM, Page, datamatrix_image
from .payslip import PayslipSpec
from .printing import DEJAVU_DIR, PAGES_PER_BATCH, DocumentSpec, print_document, print_documents
from .rib import RibSpec
from .tax_notice import TaxNoticeSpec
from .truth import DocumentTruth, PrintedDocument, signed_value, truth_from_keywords

__all__ = [
    "DEJAVU_DIR",
    "KEYWORD_PREFIX",
    "MISMATCH_RATE",
    "MONTHS",
    "PAGES_PER_BATCH",
    "SPECIMEN",
    "TWO_D_DOC_SIZE_MM",
    "AddressProofSpec",
    "BudgetSpec",
    "DocumentSpec",
    "DocumentTruth",
    "InvoiceSpec",
    "KbisSpec",
    "Page",
    "PayslipSpec",
    "PrintedDocument",
    "RibSpec",
    "TaxNoticeSpec",
    "datamatrix_image",
    "format_date",
    "format_euros",
    "format_iban",
    "format_siren",
    "format_siret",
    "money",
    "print_document",
    "print_documents",
    "signed_value",
    "truth_from_keywords",
]
