"""The ANTS 2D-Doc specification's tables: document types and data identifiers.

Source: ANTS, "Spécifications techniques des codes à barres 2D-Doc", version 3.2.6
(24/03/2023), section 6.1 (document types of the C40 perimeter '01') and section 7
(data identifiers of that perimeter, with their lengths and encodings). Labels are the
specification's own (French); `name` is levier's English name for the identifiers it
uses, empty for the others.

A field is of fixed length when its minimum and maximum lengths are equal (no <GS> after
it); otherwise it is variable (ended by <GS>, by the end of the message, or by <RS> when
truncated, and not by anything when it reaches its maximum length).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

PERIMETER_ANTS: Final = "01"  # the only C40 perimeter the specification defines

# Encodings of a field's value (section 7's descriptions).
TEXT: Final = "text"  # upper-case letters, digits, spaces, a few symbols
DIGITS: Final = "digits"  # identifiers made of digits (SIRET, tax numbers, phone numbers)
DECIMAL: Final = "decimal"  # a number, the decimal separator a comma, maybe a minus sign
DATE_DDMMYYYY: Final = "date_ddmmyyyy"  # JJMMAAAA
DATE_HEX: Final = "date_hex"  # days since 2000-01-01 in 4 hexadecimal digits, FFFF: none
TIME_HHMMSS: Final = "time_hhmmss"


@dataclass(frozen=True)
class DocumentType:
    code: str  # 2 characters, in the header
    label: str  # the specification's name of the type
    category: str  # "type pour l'utilisateur"
    dated: bool  # the header carries an issue date (else FFFF)
    perimeter: str = PERIMETER_ANTS


@dataclass(frozen=True)
class FieldSpec:
    id: str  # 2 characters, specification-wide within the perimeter
    min_length: int
    max_length: int | None  # None: no upper bound
    encoding: str
    label: str
    name: str = ""  # levier's name, when levier uses it

    @property
    def fixed(self) -> bool:
        """A fixed-length value is followed directly by the next identifier."""
        return self.max_length is not None and self.min_length == self.max_length

    @property
    def key(self) -> str:
        return self.name or f"di_{self.id.lower()}"


def _t(code: str, category: str, dated: bool, label: str) -> DocumentType:
    return DocumentType(code=code, label=label, category=category, dated=dated)


def _f(
    field_id: str, min_length: int, max_length: int | None, encoding: str, label: str, name: str
) -> FieldSpec:
    return FieldSpec(field_id, min_length, max_length, encoding, label, name)


ADDRESS_PROOF = "Justificatif de domicile"
BANK = "Documents bancaires"
INCOME = "Justificatif de ressources"
EMPLOYMENT = "Justificatif d’emploi"
IDENTITY = "Justificatif d’identité"
VEHICLE = "Justificatif de véhicule"
DRIVING = "Justificatif permis de conduire"
ACADEMIC = "Justificatif académique"
ACTIVITY = "Justificatif d’activité"
CUSTOMS = "Autorisations douanières"
ASYLUM = "Justificatif d’asile"

# Section 6.1; `dated`: the "Date d'émission" column (O: the header has an issue date).
DOCUMENT_TYPES: Final[dict[str, DocumentType]] = {
    t.code: t
    for t in (
        _t("00", ADDRESS_PROOF, True, "Justificatif de domicile"),
        _t("01", ADDRESS_PROOF, True, "Facture (énergie, téléphonie, accès internet, eau)"),
        _t("02", ADDRESS_PROOF, True, "Avis de taxe d’habitation"),
        _t("03", BANK, False, "Relevé d’identité bancaire"),
        _t("04", INCOME, False, "Avis d’impôt sur les revenus"),
        _t("05", BANK, False, "Relevé d’identité SEPAmail"),
        _t("06", INCOME, True, "Bulletin de salaire"),
        _t("07", IDENTITY, True, "Titre d’identité"),
        _t("08", IDENTITY, True, "MRZ"),
        _t("09", "Justificatif fiscal", True, "Facture étendue"),
        _t("10", EMPLOYMENT, True, "Contrat de travail"),
        _t("11", BANK, True, "Relevé de compte"),
        _t("12", "Justificatif juridique/judiciaire", True, "Acte d’huissier"),
        _t("13", IDENTITY, True, "Document étranger"),
        _t("14", VEHICLE, True, "Attestation DICEM"),
        _t(
            "15",
            EMPLOYMENT,
            True,
            "Attestation de décision favorable d’une demande d’autorisation de travail",
        ),
        _t("16", ASYLUM, False, "Attestation de demande d’asile"),
        _t(
            "17",
            ASYLUM,
            True,
            "Attestation de fin de droit à l’allocation pour demandeur d’asile (ADA)",
        ),
        _t("18", INCOME, False, "Avis de situation déclarative à l’impôt sur les revenus"),
        _t("A0", VEHICLE, True, "Certificat de qualité de l’air"),
        _t("A1", DRIVING, True, "Courrier permis à points"),
        _t("A2", "Justificatif de santé", True, "Carte mobilité inclusion (CMI)"),
        _t("A3", ACTIVITY, False, "Macaron VTC (véhicule de transport avec chauffeur)"),
        _t("A4", "Justificatif médical", True, "Certificat de décès"),
        _t("A5", ACTIVITY, False, "Carte T3P (transport public particulier de personnes)"),
        _t("A6", ACTIVITY, False, "Carte professionnelle sapeur-pompier"),
        _t("A7", VEHICLE, True, "Certificat de qualité de l’air (V2)"),
        _t("A8", "Certificat d’immatriculation", True, "Certificat de cession électronique"),
        _t("A9", ACTIVITY, True, "Permis de chasser"),
        _t("AA", DRIVING, True, "Arrêtés permis de conduire"),
        _t("AB", DRIVING, True, "Relevé d’information permis de conduire"),
        _t("AC", ACTIVITY, True, "Licence de conducteur de train"),
        _t("B0", ACADEMIC, True, "Diplôme"),
        _t("B1", ACADEMIC, True, "Attestation de versement de la contribution à la vie étudiante"),
        _t("B2", "Résultats des tests virologiques", True, "Test COVID"),
        _t("C1", CUSTOMS, True, "Renseignement tarifaire contraignant"),
        _t("C2", CUSTOMS, True, "Accord préalable pour le transfert d’armes"),
        _t("C3", CUSTOMS, True, "Permis de transfert d’armes à feu et de munitions"),
        _t("C4", CUSTOMS, True, "Autorisation d’importation de matériels de guerre"),
        _t("C5", CUSTOMS, True, "Licence d’exportation d’armes à feu"),
        _t("C6", CUSTOMS, True, "Agrément de transfert d’armes à feu et de munitions"),
        _t("C7", CUSTOMS, True, "Bon de livraison"),
        _t("C8", CUSTOMS, True, "Bon de livraison V2"),
        _t("L1", "Attestation vaccinale", True, "Attestation vaccinale"),
    )
}

# Section 7, in the specification's order: (id, min, max, encoding, label, levier name).
FIELDS: Final[dict[str, FieldSpec]] = {
    f.id: f
    for f in (
        # Identifiants de données complémentaires du code 2D-DOC
        _f("01", 0, None, TEXT, "Identifiant unique du document", "document_id"),
        _f("02", 0, None, TEXT, "Catégorie de document", "document_category"),
        _f("03", 0, None, TEXT, "Sous-catégorie de document", "document_subcategory"),
        _f("04", 0, None, TEXT, "Application de composition", "composing_application"),
        _f(
            "05",
            0,
            None,
            TEXT,
            "Version de l’application de composition",
            "composing_application_version",
        ),
        _f(
            "06",
            4,
            4,
            DATE_HEX,
            "Date de l’association entre le document et le code 2D-DOC",
            "association_date",
        ),
        _f(
            "07",
            6,
            6,
            TIME_HHMMSS,
            "Heure de l’association entre le document et le code 2D-DOC",
            "association_time",
        ),
        _f("08", 4, 4, DATE_HEX, "Date d’expiration du document", "expiry_date"),
        _f("09", 4, 4, DIGITS, "Nombre de pages du document", "page_count"),
        _f("0A", 9, 9, DIGITS, "Editeur du 2D-DOC", "publisher"),
        _f("0B", 9, 9, DIGITS, "Intégrateur du 2D-DOC", ""),
        _f("0C", 0, None, TEXT, "URL du document", ""),
        # Identifiants de données propres aux factures
        _f(
            "10",
            0,
            38,
            TEXT,
            "Ligne 1 de la norme adresse postale du bénéficiaire de la prestation",
            "beneficiary_address_line_1",
        ),
        _f(
            "11",
            0,
            38,
            TEXT,
            "Qualité et/ou titre de la personne bénéficiaire de la prestation",
            "beneficiary_title",
        ),
        _f(
            "12",
            0,
            38,
            TEXT,
            "Prénom de la personne bénéficiaire de la prestation",
            "beneficiary_first_name",
        ),
        _f(
            "13",
            0,
            38,
            TEXT,
            "Nom de la personne bénéficiaire de la prestation",
            "beneficiary_last_name",
        ),
        _f(
            "14",
            0,
            38,
            TEXT,
            "Ligne 1 de la norme adresse postale du destinataire de la facture",
            "recipient_address_line_1",
        ),
        _f(
            "15",
            0,
            38,
            TEXT,
            "Qualité et/ou titre de la personne destinataire de la facture",
            "recipient_title",
        ),
        _f(
            "16",
            0,
            38,
            TEXT,
            "Prénom de la personne destinataire de la facture",
            "recipient_first_name",
        ),
        _f(
            "17",
            0,
            38,
            TEXT,
            "Nom de la personne destinataire de la facture",
            "recipient_last_name",
        ),
        _f("18", 0, None, TEXT, "Numéro de la facture", "invoice_number"),
        _f("19", 0, None, TEXT, "Numéro de client", "customer_number"),
        _f("1A", 0, None, TEXT, "Numéro du contrat", "contract_number"),
        _f("1B", 0, None, TEXT, "Identifiant du souscripteur du contrat", "subscriber_id"),
        _f("1C", 8, 8, DATE_DDMMYYYY, "Date d’effet du contrat", "contract_start_date"),
        _f("1D", 0, 16, DECIMAL, "Montant TTC de la facture", "invoice_amount"),
        _f(
            "1E",
            0,
            30,
            DIGITS,
            "Numéro de téléphone du bénéficiaire de la prestation",
            "beneficiary_phone",
        ),
        _f(
            "1F",
            0,
            30,
            DIGITS,
            "Numéro de téléphone du destinataire de la facture",
            "recipient_phone",
        ),
        _f(
            "1G",
            1,
            1,
            DIGITS,
            "Présence d’un co-bénéficiaire de la prestation non mentionné dans le code",
            "",
        ),
        _f(
            "1H",
            1,
            1,
            DIGITS,
            "Présence d’un co-destinataire de la facture non mentionné dans le code",
            "",
        ),
        _f(
            "1I",
            0,
            38,
            TEXT,
            "Ligne 1 de la norme adresse postale du co-bénéficiaire de la prestation",
            "",
        ),
        _f("1J", 0, 38, TEXT, "Qualité et/ou titre du co-bénéficiaire de la prestation", ""),
        _f("1K", 0, 38, TEXT, "Prénom du co-bénéficiaire de la prestation", ""),
        _f("1L", 0, 38, TEXT, "Nom du co-bénéficiaire de la prestation", ""),
        _f(
            "1M",
            0,
            38,
            TEXT,
            "Ligne 1 de la norme adresse postale du co-destinataire de la facture",
            "",
        ),
        _f("1N", 0, 38, TEXT, "Qualité et/ou titre du co-destinataire de la facture", ""),
        _f("1O", 0, 38, TEXT, "Prénom du co-destinataire de la facture", ""),
        _f("1P", 0, 38, TEXT, "Nom du co-destinataire de la facture", ""),
        _f(
            "20",
            0,
            38,
            TEXT,
            "Ligne 2 de la norme adresse postale du point de service des prestations",
            "service_address_line_2",
        ),
        _f(
            "21",
            0,
            38,
            TEXT,
            "Ligne 3 de la norme adresse postale du point de service des prestations",
            "service_address_line_3",
        ),
        _f(
            "22",
            0,
            38,
            TEXT,
            "Ligne 4 de la norme adresse postale du point de service des prestations",
            "service_address_line_4",
        ),
        _f(
            "23",
            0,
            38,
            TEXT,
            "Ligne 5 de la norme adresse postale du point de service des prestations",
            "service_address_line_5",
        ),
        _f(
            "24",
            5,
            5,
            DIGITS,
            "Code postal ou code cedex du point de service des prestations",
            "service_postal_code",
        ),
        _f(
            "25",
            0,
            32,
            DIGITS,
            "Localité de destination ou libellé cedex du point de service des prestations",
            "service_locality",
        ),
        _f("26", 2, 2, TEXT, "Pays de service des prestations", "service_country"),
        _f(
            "27",
            0,
            38,
            TEXT,
            "Ligne 2 de la norme adresse postale du destinataire de la facture",
            "recipient_address_line_2",
        ),
        _f(
            "28",
            0,
            38,
            TEXT,
            "Ligne 3 de la norme adresse postale du destinataire de la facture",
            "recipient_address_line_3",
        ),
        _f(
            "29",
            0,
            38,
            TEXT,
            "Ligne 4 de la norme adresse postale du destinataire de la facture",
            "recipient_address_line_4",
        ),
        _f(
            "2A",
            0,
            38,
            TEXT,
            "Ligne 5 de la norme adresse postale du destinataire de la facture",
            "recipient_address_line_5",
        ),
        _f(
            "2B",
            5,
            5,
            DIGITS,
            "Code postal ou code cedex du destinataire de la facture",
            "recipient_postal_code",
        ),
        _f(
            "2C",
            0,
            32,
            DIGITS,
            "Localité de destination ou libellé cedex du destinataire de la facture",
            "recipient_locality",
        ),
        _f("2D", 2, 2, TEXT, "Pays du destinataire de la facture", "recipient_country"),
        # Identifiants de données bancaires
        _f("30", 0, 140, TEXT, "Qualité Nom et Prénom", "account_holder"),
        _f("31", 14, 38, TEXT, "Code IBAN", "iban"),
        _f("32", 8, 11, TEXT, "Code BIC/SWIFT", "bic"),
        _f("33", 0, 30, TEXT, "Code BBAN", "bban"),
        _f("34", 2, 2, TEXT, "Pays de localisation du compte", "account_country"),
        _f("35", 14, 34, TEXT, "Identifiant SEPAmail (QXBAN)", "sepamail_id"),
        _f("36", 4, 4, DATE_HEX, "Date de début de période", "period_start"),
        _f("37", 4, 4, DATE_HEX, "Date de fin de période", "period_end"),
        _f("38", 0, 11, DECIMAL, "Solde compte début de période", "opening_balance"),
        _f("39", 0, 11, DECIMAL, "Solde compte fin de période", "closing_balance"),
        # Identifiants de données fiscales
        _f("40", 13, 13, DIGITS, "Numéro fiscal", "tax_number"),
        _f("41", 0, 12, DECIMAL, "Revenu fiscal de référence", "reference_tax_income"),
        _f("42", 0, None, TEXT, "Situation du foyer", "tax_status"),
        _f("43", 1, 5, DECIMAL, "Nombre de parts", "parts"),
        _f("44", 13, 13, TEXT, "Référence d’avis d’impôt", "notice_reference"),
        _f("45", 4, 4, DIGITS, "Année des revenus", "income_year"),
        _f("46", 0, 38, TEXT, "Déclarant 1", "declarant_1"),
        _f("47", 13, 13, DIGITS, "Numéro fiscal du déclarant 1", "declarant_1_tax_number"),
        _f("48", 0, 38, TEXT, "Déclarant 2", "declarant_2"),
        _f("49", 13, 13, DIGITS, "Numéro fiscal du déclarant 2", "declarant_2_tax_number"),
        _f("4A", 8, 8, DATE_DDMMYYYY, "Date de mise en recouvrement", "collection_date"),
        _f("4B", 8, 8, DATE_DDMMYYYY, "Date de la déclaration", "declaration_date"),
        # Identifiants de données relatives à l’activité professionnelle
        _f("50", 14, 14, DIGITS, "SIRET de l’employeur", "employer_siret"),
        _f("51", 6, 6, DECIMAL, "Nombre d’heures travaillées", "hours_worked"),
        _f("52", 7, 7, DECIMAL, "Cumul du nombre d’heures travaillées", "hours_worked_cumulated"),
        _f("53", 4, 4, DATE_HEX, "Début de période", "pay_period_start"),
        _f("54", 4, 4, DATE_HEX, "Fin de période", "pay_period_end"),
        _f("55", 8, 8, DATE_DDMMYYYY, "Date de début de contrat", "contract_start"),
        _f("56", 4, 4, DATE_HEX, "Date de fin de contrat", "contract_end"),
        _f("57", 8, 8, DATE_DDMMYYYY, "Date de signature du contrat", "contract_signed_on"),
        _f("58", 0, 11, DECIMAL, "Salaire net imposable", "net_taxable_pay"),
        _f("59", 0, 12, DECIMAL, "Cumul du salaire net imposable", "net_taxable_pay_cumulated"),
        _f("5A", 0, 11, DECIMAL, "Salaire brut du mois", "gross_pay"),
        _f("5B", 0, 12, DECIMAL, "Cumul du salaire brut", "gross_pay_cumulated"),
        _f("5C", 0, 11, DECIMAL, "Salaire net", "net_pay"),
        _f("5D", 0, 38, TEXT, "Ligne 2 de la norme adresse postale de l’employeur", ""),
        _f("5E", 0, 38, TEXT, "Ligne 3 de la norme adresse postale de l’employeur", ""),
        _f("5F", 0, 38, TEXT, "Ligne 4 de la norme adresse postale de l’employeur", ""),
        _f("5G", 0, 38, TEXT, "Ligne 5 de la norme adresse postale de l’employeur", ""),
        _f("5H", 5, 5, DIGITS, "Code postal ou code cedex de l’employeur", ""),
        _f("5I", 0, 32, TEXT, "Localité de destination ou libellé cedex de l’employeur", ""),
        _f("5J", 2, 2, TEXT, "Pays de l’employeur", ""),
        _f("5K", 0, 50, TEXT, "Identifiant Cotisant Prestations Sociales", ""),
        _f("5L", 9, 14, TEXT, "Numéro de SIRET ou RNA", ""),
        _f("5M", 0, 38, TEXT, "Dénomination sociale", "employer_legal_name"),
        _f("5N", 21, 21, DIGITS, "Numéro de dossier d'autorisation de travail", ""),
        _f("5O", 0, 38, TEXT, "Nom de l'employeur", "employer_last_name"),
        _f("5P", 0, 20, TEXT, "Prénom de l'employeur", "employer_first_name"),
        _f("5Q", 0, 38, TEXT, "Nom du déclarant", ""),
        _f("5R", 0, 20, TEXT, "Prénom du déclarant", ""),
        _f("5S", 0, 40, TEXT, "Fonction du déclarant", ""),
        _f("5T", 1, 1, DIGITS, "Type de contrat de travail", ""),
        _f("5U", 0, 12, TEXT, "Durée du contrat", ""),
        # Identifiants de données relatives aux titres d’identité
        _f("60", 0, 60, TEXT, "Liste des prénoms", ""),
        _f("61", 0, 20, TEXT, "Prénom", ""),
        _f("62", 0, 38, TEXT, "Nom patronymique", ""),
        _f("63", 0, 38, TEXT, "Nom d’usage", ""),
        _f("64", 0, 38, TEXT, "Nom d’épouse/époux", ""),
        _f("65", 2, 2, TEXT, "Type de pièce d’identité", ""),
        _f("66", 0, 20, TEXT, "Numéro de la pièce d’identité", ""),
        _f("67", 2, 2, TEXT, "Nationalité", ""),
        _f("68", 1, 1, TEXT, "Genre", ""),
        _f("69", 8, 8, DATE_DDMMYYYY, "Date de naissance", ""),
        _f("6A", 0, 32, TEXT, "Lieu de naissance", ""),
        _f("6B", 3, 3, TEXT, "Département du bureau émetteur", ""),
        _f("6C", 2, 2, TEXT, "Pays de naissance", ""),
        _f("6D", 0, 60, TEXT, "Nom et prénom du père", ""),
        _f("6E", 0, 60, TEXT, "Nom et prénom de la mère", ""),
        _f("6F", 0, 90, TEXT, "Machine Readable Zone (Zone de Lecture Automatique, ZLA)", ""),
        _f("6G", 1, 38, TEXT, "Nom", ""),
        _f("6H", 1, 10, TEXT, "Civilité", ""),
        _f("6I", 2, 2, TEXT, "Pays émetteur", ""),
        _f("6J", 1, 1, DIGITS, "Type de document étranger", ""),
        _f("6K", 19, 19, DIGITS, "Numéro de la demande de document étranger", ""),
        _f("6L", 8, 8, DATE_DDMMYYYY, "Date de dépôt de la demande", ""),
        _f("6M", 0, 40, TEXT, "Catégorie du titre", ""),
        _f("6N", 8, 8, DATE_DDMMYYYY, "Date de début de validité", ""),
        _f("6O", 8, 8, DATE_DDMMYYYY, "Date de fin de validité", ""),
        _f("6P", 0, 40, TEXT, "Autorisation", ""),
        _f("6Q", 0, 10, TEXT, "Numéro d’étranger", ""),
        _f("6R", 12, 12, TEXT, "Numéro de visa", ""),
        _f("6S", 0, 38, TEXT, "Ligne 2 de l'adresse postale du domicile", ""),
        _f("6T", 0, 38, TEXT, "Ligne 3 de l'adresse postale du domicile", ""),
        _f("6U", 0, 38, TEXT, "Ligne 4 de l'adresse postale du domicile", ""),
        _f("6V", 0, 38, TEXT, "Ligne 5 de l'adresse postale du domicile", ""),
        _f("6W", 5, 5, DIGITS, "Code postal ou code cedex de l'adresse postale du domicile", ""),
        _f("6X", 0, 32, TEXT, "Commune de l'adresse postale du domicile", ""),
        _f("6Y", 2, 2, TEXT, "Code pays de l'adresse postale du domicile", ""),
        _f("6Z", 9, 11, TEXT, "Numéro d'étranger de l'autorisation de travail", ""),
        # Identifiants de données relatives aux données de santé
        _f("70", 12, 12, DATE_DDMMYYYY, "Date et heure du décès", ""),
        _f("71", 12, 12, DATE_DDMMYYYY, "Date et heure du constat de décès", ""),
        _f("72", 0, 38, TEXT, "Nom du défunt", ""),
        _f("73", 0, 60, TEXT, "Prénoms du défunt", ""),
        _f("74", 0, 38, TEXT, "Nom de jeune fille du défunt", ""),
        _f("75", 8, 8, DATE_DDMMYYYY, "Date de naissance du défunt", ""),
        _f("76", 1, 1, TEXT, "Genre du défunt", ""),
        _f("77", 0, 45, TEXT, "Commune de décès", ""),
        _f("78", 5, 5, DIGITS, "Code postal de la commune de décès", ""),
        _f("79", 0, 114, TEXT, "Adresse du domicile du défunt", ""),
        _f("7A", 5, 5, DIGITS, "Code postal du domicile du défunt", ""),
        _f("7B", 0, 45, TEXT, "Commune du domicile du défunt", ""),
        _f("7C", 1, 1, DIGITS, "Obstacle médico-légal", ""),
        _f("7D", 1, 1, TEXT, "Mise en bière", ""),
        _f("7E", 1, 1, DIGITS, "Obstacle aux soins de conservation", ""),
        _f("7F", 1, 1, DIGITS, "Obstacle aux dons du corps", ""),
        _f("7G", 1, 1, DIGITS, "Recherche de la cause du décès", ""),
        _f("7H", 2, 2, TEXT, "Délai de transport du corps", ""),
        _f("7I", 1, 1, DIGITS, "Prothèse avec pile", ""),
        _f("7J", 1, 1, DIGITS, "Retrait de la pile de prothèse", ""),
        _f("7K", 13, 13, TEXT, "Code NNC", ""),
        _f("7L", 9, 9, TEXT, "Code Finess de l'organisme agréé", ""),
        _f("7M", 0, 64, TEXT, "Identification du médecin", ""),
        _f("7N", 0, 128, TEXT, "Lieu de validation du certificat de décès", ""),
        _f("7O", 1, 1, DIGITS, "Certificat de décès supplémentaire", ""),
        # Identifiants relatifs aux activités professionnelles
        _f("80", 0, 38, TEXT, "Nom", ""),
        _f("81", 0, 60, TEXT, "Prénoms", ""),
        _f("82", 0, 20, TEXT, "Numéro de carte", ""),
        _f("83", 0, 40, TEXT, "Organisme de tutelle", ""),
        _f("84", 0, 40, TEXT, "Profession", ""),
        _f("85", 17, 17, TEXT, "Numéro de permis de chasser", ""),
        _f("86", 12, 12, TEXT, "Numéro de licence", ""),
        # Identifiants relatifs aux données juridiques/judiciaires
        _f("90", 0, 38, TEXT, "Identité de l'huissier de justice", ""),
        _f("91", 0, 38, TEXT, "Identité ou raison sociale du demandeur", ""),
        _f("92", 0, 38, TEXT, "Identité ou raison sociale du destinataire", ""),
        _f("93", 0, 38, TEXT, "Identité ou raison sociale de tiers concerné", ""),
        _f("94", 0, 38, TEXT, "Intitulé de l'acte", ""),
        _f("95", 0, 18, TEXT, "Numéro de l'acte", ""),
        _f("96", 8, 8, DATE_DDMMYYYY, "Date de signature de l'acte", ""),
        # Identifiants de données relatives aux véhicules
        _f("A0", 2, 2, TEXT, "Pays ayant émis l’immatriculation du véhicule", ""),
        _f("A1", 0, 17, TEXT, "Immatriculation du véhicule", ""),
        _f("A2", 0, 17, TEXT, "Marque du véhicule", ""),
        _f("A3", 0, 17, TEXT, "Nom commercial du véhicule", ""),
        _f("A4", 17, 17, TEXT, "Numéro de série du véhicule (VIN)", ""),
        _f("A5", 3, 3, TEXT, "Catégorie du véhicule", ""),
        _f("A6", 2, 2, TEXT, "Carburant", ""),
        _f("A7", 3, 3, TEXT, "Taux d’émission de CO2 du véhicule (en g/km)", ""),
        _f("A8", 0, 12, TEXT, "Indication de la classe environnementale de réception CE", ""),
        _f("A9", 3, 3, TEXT, "Classe d’émission polluante", ""),
        _f("AA", 8, 8, DATE_DDMMYYYY, "Date de première immatriculation du véhicule", ""),
        _f("AB", 0, 8, TEXT, "Type de lettre", ""),
        _f("AC", 0, 19, TEXT, "N° Dossier", ""),
        _f("AD", 4, 4, DATE_HEX, "Date Infraction", ""),
        _f("AE", 4, 4, DIGITS, "Heure de l’infraction", ""),
        _f("AF", 1, 1, TEXT, "Nombre de points retirés lors de l’infraction", ""),
        _f("AG", 1, 1, TEXT, "Solde de points", ""),
        _f("AH", 0, 30, TEXT, "Numéro de la carte", ""),
        _f("AI", 8, 8, DATE_DDMMYYYY, "Date d’expiration initiale", ""),
        _f("AJ", 13, 13, TEXT, "Numéro EVTC", ""),
        _f("AK", 7, 7, DIGITS, "Numéro de macaron", ""),
        _f("AL", 11, 11, TEXT, "Numéro de la carte", ""),
        _f("AM", 0, 5, TEXT, "Motif de sur-classement", ""),
        _f("AN", 8, 8, DIGITS, "Kilométrage", ""),
        _f("AO", 6, 6, DIGITS, "Numéro d’identification", ""),
        _f("AP", 0, 60, TEXT, "Type d’engin", ""),
        _f("AQ", 0, 25, TEXT, "Numéro de série", ""),
        _f("AR", 0, 35, TEXT, "Modèle", ""),
        _f("AS", 0, 10, TEXT, "Couleur dominante", ""),
        _f("AT", 1, 1, DIGITS, "Type de propriétaire", ""),
        _f("AU", 0, 38, TEXT, "Ligne 2 de l'adresse postale du propriétaire", ""),
        _f("AV", 0, 38, TEXT, "Ligne 3 de l'adresse postale du propriétaire", ""),
        _f("AW", 0, 38, TEXT, "Ligne 4 de l'adresse postale du propriétaire", ""),
        _f("AX", 0, 38, TEXT, "Ligne 5 de l'adresse postale du propriétaire", ""),
        _f(
            "AY", 5, 5, DIGITS, "Code postal ou code cedex de l'adresse postale du propriétaire", ""
        ),
        _f("AZ", 0, 32, TEXT, "Commune de l'adresse postale du propriétaire", ""),
        # Identifiants de données pour les justificatifs académiques
        _f("B0", 0, 60, TEXT, "Liste des prénoms", ""),
        _f("B1", 0, 20, TEXT, "Prénom", ""),
        _f("B2", 0, 38, TEXT, "Nom patronymique", ""),
        _f("B3", 0, 38, TEXT, "Nom d'usage", ""),
        _f("B4", 0, 38, TEXT, "Nom d'épouse/époux", ""),
        _f("B5", 2, 2, TEXT, "Nationalité", ""),
        _f("B6", 1, 1, TEXT, "Genre", ""),
        _f("B7", 8, 8, DATE_DDMMYYYY, "Date de naissance", ""),
        _f("B8", 0, 32, TEXT, "Lieu de naissance", ""),
        _f("B9", 2, 2, TEXT, "Pays de naissance", ""),
        _f("BA", 1, 1, DIGITS, "Mention obtenue", ""),
        _f("BB", 0, 50, TEXT, "Numéro ou code d'identification de l'étudiant", ""),
        _f("BC", 0, 20, TEXT, "Numéro du diplôme", ""),
        _f("BD", 1, 1, DIGITS, "Niveau du diplôme selon la classification CEC", ""),
        _f("BE", 3, 3, DIGITS, "Crédits ECTS obtenus", ""),
        _f("BF", 3, 3, DIGITS, "Année universitaire", ""),
        _f("BG", 2, 2, TEXT, "Type de diplôme", ""),
        _f("BH", 0, 30, TEXT, "Domaine", ""),
        _f("BI", 0, 30, TEXT, "Mention", ""),
        _f("BJ", 0, 30, TEXT, "Spécialité", ""),
        _f("BK", 14, 14, TEXT, "Numéro de l'Attestation de versement de la CVE", ""),
        # Identifiants de données relatives au certificat de cession
        _f("C0", 1, 1, TEXT, "Genre du vendeur", ""),
        _f("C1", 0, 38, TEXT, "Nom patronymique du vendeur", ""),
        _f("C2", 0, 20, TEXT, "Prénom du vendeur", ""),
        _f("C3", 12, 12, DATE_DDMMYYYY, "Date et heure de la cession", ""),
        _f("C4", 8, 8, DATE_DDMMYYYY, "Date de la signature du vendeur", ""),
        _f("C5", 1, 1, TEXT, "Genre de l’acheteur", ""),
        _f("C6", 0, 38, TEXT, "Nom patronymique de l’acheteur", ""),
        _f("C7", 0, 20, TEXT, "Prénom de l’acheteur", ""),
        _f("C8", 0, 38, TEXT, "Ligne 4 de la norme adresse postale du domicile de l’acheteur", ""),
        _f("C9", 5, 5, DIGITS, "Code postal ou code cedex du domicile de l’acheteur", ""),
        _f("CA", 0, 45, TEXT, "Commune du domicile de l’acheteur", ""),
        _f("CB", 10, 10, DIGITS, "N° d’enregistrement", ""),
        _f("CC", 12, 12, DATE_DDMMYYYY, "Date et heure d'enregistrement dans le SIV", ""),
        # Identifiants de données relatives aux autorisations
        _f("D0", 17, 17, TEXT, "Référence RTC", ""),
        _f("D1", 0, 50, TEXT, "Nom du titulaire", ""),
        _f("D2", 0, 20, TEXT, "EORI", ""),
        _f("D3", 8, 8, DIGITS, "Date de début de validité", ""),
        _f("D4", 8, 8, DIGITS, "Date de fin de validité", ""),
        _f("D5", 8, 10, TEXT, "Code marchandise", ""),
        _f("D6", 8, 8, DIGITS, "Numéro de décision", ""),
        _f("D7", 8, 8, DATE_DDMMYYYY, "Date de décision", ""),
        _f("D8", 2, 2, DIGITS, "Durée de validité", ""),
        _f("D9", 8, 8, DATE_DDMMYYYY, "Date de fin de validité de la licence", ""),
        _f("DA", 8, 8, DIGITS, "Numéro de licence", ""),
        _f("DB", 0, 50, TEXT, "Nom de l’expéditeur", ""),
        _f("DC", 0, 50, TEXT, "Prénom de l’expéditeur", ""),
        _f("DD", 8, 8, DATE_DDMMYYYY, "Date de naissance de l’expéditeur", ""),
        _f("DE", 0, 50, TEXT, "Raison sociale de l’expéditeur", ""),
        _f("DF", 9, 9, DIGITS, "SIREN de l’expéditeur", ""),
        _f("DG", 14, 14, DIGITS, "SIRET de l’expéditeur", ""),
        _f("DH", 0, 20, TEXT, "EORI de l’expéditeur", ""),
        _f("DI", 4, 30, TEXT, "TIN de l’expéditeur", ""),
        _f("DJ", 0, 50, TEXT, "Nom de l’exportateur", ""),
        _f("DK", 0, 50, TEXT, "Prénom de l’exportateur", ""),
        _f("DL", 8, 8, DATE_DDMMYYYY, "Date de naissance de l’exportateur", ""),
        _f("DM", 0, 50, TEXT, "Raison sociale de l’exportateur", ""),
        _f("DN", 9, 9, DIGITS, "SIREN de l’exportateur", ""),
        _f("DO", 14, 14, DIGITS, "SIRET de l’exportateur", ""),
        _f("DP", 0, 20, TEXT, "EORI de l’exportateur", ""),
        _f("DQ", 0, 50, TEXT, "Nom du destinataire", ""),
        _f("DR", 0, 50, TEXT, "Prénom du destinataire", ""),
        _f("DS", 8, 8, DATE_DDMMYYYY, "Date de naissance du destinataire", ""),
        _f("DT", 0, 50, TEXT, "Raison sociale du destinataire", ""),
        _f("DU", 9, 9, DIGITS, "SIREN du destinataire", ""),
        _f("DV", 14, 14, DIGITS, "SIRET du destinataire", ""),
        _f("DW", 0, 20, TEXT, "EORI du destinataire", ""),
        _f("DX", 4, 30, TEXT, "TIN du destinataire", ""),
        _f("DY", 3, 3, DIGITS, "Nombre de lignes articles", ""),
        _f("DZ", 0, 10, TEXT, "Numéro du bon de livraison", ""),
        _f("H0", 0, 38, TEXT, "Commune de l'expéditeur", ""),
        _f("H1", 2, 2, TEXT, "Pays de l'expéditeur", ""),
        _f("H2", 0, 38, TEXT, "Commune du destinataire", ""),
        _f("H3", 2, 2, TEXT, "Pays du destinataire", ""),
        _f("H4", 8, 8, DATE_DDMMYYYY, "Date de départ", ""),
        _f("H5", 8, 8, DATE_DDMMYYYY, "Date prévisionnelle d’arrivée", ""),
        _f("H6", 0, 40, DIGITS, "Numéro de plomb", ""),
        _f("H7", 0, 53, TEXT, "Codes douaniers", ""),
        _f("H8", 7, 7, DIGITS, "Nombre d’emballages articles", ""),
        _f("H9", 8, 8, DIGITS, "Poids brut articles", ""),
        _f("HA", 8, 8, DIGITS, "Poids net articles", ""),
        _f("HB", 9, 9, DIGITS, "Valeur douanière articles", ""),
        _f("HC", 0, 38, TEXT, "But de la livraison", ""),
        _f("HD", 0, 38, TEXT, "Adresse de l'expéditeur", ""),
        _f("HE", 0, 38, TEXT, "Code postal et commune de l'expéditeur", ""),
        _f("HF", 0, 38, TEXT, "Adresse du destinataire", ""),
        _f("HG", 0, 38, TEXT, "Code postal et commune du destinataire", ""),
        _f("HH", 0, 20, TEXT, "Numéro d’identification du transport", ""),
        # Identifiants de données relatives aux résultats des tests
        _f("F0", 0, 60, TEXT, "Liste des prénoms", ""),
        _f("F1", 0, 38, TEXT, "Nom patronymique", ""),
        _f("F2", 8, 8, DATE_DDMMYYYY, "Date de naissance", ""),
        _f("F3", 1, 1, TEXT, "Genre", ""),
        _f("F4", 3, 7, TEXT, "Code analyse", ""),
        _f("F5", 1, 1, TEXT, "Résultat de l’analyse", ""),
        _f("F6", 12, 12, DATE_DDMMYYYY, "Date et heure du prélèvement", ""),
        # Identifiants de données relatives à une attestation vaccinale
        _f("L0", 0, 80, TEXT, "Nom Patronymique du patient", ""),
        _f("L1", 0, 80, TEXT, "Liste des prénoms du patient", ""),
        _f("L2", 8, 8, DATE_DDMMYYYY, "Date de naissance du patient", ""),
        _f("L3", 0, 30, TEXT, "Nom de la maladie couverte", ""),
        _f("L4", 5, 15, TEXT, "Agent prophylactique", ""),
        _f("L5", 5, 30, TEXT, "Nom du vaccin", ""),
        _f("L6", 5, 30, TEXT, "Fabricant du vaccin", ""),
        _f("L7", 1, 1, DIGITS, "Rang du dernier état de vaccination effectué", ""),
        _f("L8", 1, 1, DIGITS, "Nombre de doses attendues pour un cycle complet", ""),
        _f("L9", 8, 8, DATE_DDMMYYYY, "Date du dernier état du cycle de vaccination", ""),
        _f("LA", 2, 2, TEXT, "Etat du cycle de vaccination", ""),
        # Identifiants de données relatives à l’asile
        _f("G0", 2, 2, TEXT, "Type de procédure", ""),
        _f("G1", 2, 2, TEXT, "Orientation régionale", ""),
        _f("G2", 0, 20, TEXT, "Numéro d’usager", ""),
        _f("G3", 8, 8, DATE_DDMMYYYY, "Date de fin des droits", ""),
        _f("G4", 0, 10, DECIMAL, "Somme des montants versés au titre de l'ADA", ""),
        _f("G5", 0, 45, TEXT, "Information de la Direction Territoriale", ""),
        # Identifiants de données relatives au permis de conduire
        _f("E0", 2, 2, TEXT, "Type d’arrêtés Permis de conduire", ""),
        _f("E1", 4, 4, DATE_HEX, "Date édition du document", ""),
        _f("E2", 4, 4, DATE_HEX, "Date de fin de sanction", ""),
        _f("E3", 4, 4, DATE_HEX, "Date de notification", ""),
        _f("E4", 3, 3, TEXT, "Type de relevé de permis de conduire", ""),
        _f("E5", 2, 2, DIGITS, "Etat du permis de conduire du conducteur", ""),
        _f("E6", 0, 65, TEXT, "Catégories présentes de permis de conduire", ""),
        _f("E7", 9, 9, DIGITS, "SIREN du demandeur du document", ""),
        _f("E8", 12, 12, DATE_DDMMYYYY, "Date des données issues du SNCP", ""),
    )
}

# The types levier compares with declared data (section 8 says which fields each has).
ADDRESS_PROOF_TYPES: Final = frozenset({"00", "01", "02"})
BANK_DETAILS_TYPES: Final = frozenset({"03", "05", "11"})
TAX_NOTICE_TYPES: Final = frozenset({"04", "18"})  # avis d'impôt, ASDIR
PAYSLIP_TYPES: Final = frozenset({"06"})


def document_type_label(code: str) -> str:
    document_type = DOCUMENT_TYPES.get(code)
    return document_type.label if document_type else ""
