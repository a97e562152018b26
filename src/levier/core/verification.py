"""Verification codes given to usagers to follow a case or an enquiry.

Only an HMAC of the code is stored; the code itself is emailed once.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def digest(reference: str, code: str) -> str:
    message = f"{reference.strip().upper()}:{code.strip().upper().replace(' ', '')}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def matches(reference: str, code: str, stored_digest: str) -> bool:
    return bool(stored_digest) and hmac.compare_digest(digest(reference, code), stored_digest)
