"""A request body too large is refused while it is read (issue 10, finding 8).

The bodies are generated lazily by `LazyMultipartBody`, never held in memory: it counts
the bytes Django reads from it and watches the upload temporary directory, so the tests
see how far the body was read and how much of it reached the disk.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.test.client import ClientHandler, RequestFactory
from django.urls import reverse

from levier.enquiries.models import Attachment, Enquiry

from ..factories import TopicFactory

pytestmark = pytest.mark.django_db

GIB = 1024**3
MIB = 1024**2
BOUNDARY = "levier-test-boundary"


class LazyMultipartBody(io.RawIOBase):
    """A multipart/form-data body of fields and one file of `file_size` bytes, made as read."""

    def __init__(self, *, fields: dict[str, str], file_field: str, file_name: str,
                 file_size: int, watch: Path | None = None):  # fmt: skip
        head = b"".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        )
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{file_name}"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n'
        ).encode()
        self.parts = [head, file_size - len(b"%PDF-1.7\n"), f"\r\n--{BOUNDARY}--\r\n".encode()]
        self.length = len(head) + self.parts[1] + len(self.parts[2])
        self.position = 0
        self.watch = watch
        self.most_on_disk = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.watch is not None:
            on_disk = sum(path.stat().st_size for path in self.watch.iterdir() if path.is_file())
            self.most_on_disk = max(self.most_on_disk, on_disk)
        size = min(size if size >= 0 else 1 << 20, self.length - self.position, 1 << 20)
        head, zeros, _tail = self.parts
        out = bytearray()
        while len(out) < size:
            at = self.position + len(out)
            want = size - len(out)
            if at < len(head):
                out += head[at : at + want]
            elif at < len(head) + zeros:
                out += bytes(min(want, len(head) + zeros - at))
            else:
                tail_at = at - len(head) - zeros
                out += self.parts[2][tail_at : tail_at + want]
        self.position += len(out)
        return bytes(out)


def run(path: str, body: LazyMultipartBody, **headers):
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.length),
        **{"wsgi.input": body},
        **headers,
    )
    return ClientHandler(enforce_csrf_checks=False)(environ)


def enquiry_fields(team) -> dict[str, str]:
    topic = TopicFactory(team=team, label="Stationnement")
    return {
        "first_name": "Élodie",
        "last_name": "Lefèvre",
        "email": "elodie.lefevre@exemple.fr",
        "topic": str(topic.pk),
        "subject": "Carte",
        "message": "Bonjour.",
    }


def test_a_1_gib_portal_upload_is_refused_before_its_body_is_read(team, settings, tmp_path):
    """Before: the whole GiB was read and written to a temporary file, then refused."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = LazyMultipartBody(
        fields=enquiry_fields(team), file_field="attachments", file_name="enorme.pdf",
        file_size=GIB, watch=tmp_path,
    )  # fmt: skip
    response = run(reverse("portal:enquiry_new"), body)
    assert response.status_code == 413
    assert body.position < MIB, f"{body.position} bytes read"
    assert body.most_on_disk == 0
    text = response.content.decode()
    assert "Votre envoi dépasse 50,0\xa0Mio au total" in text
    assert not Enquiry.objects.exists()


def test_a_1_gib_api_upload_gets_the_api_error_body(team):
    body = LazyMultipartBody(
        fields={"subject": "Pièces", "message": "Bonjour.", "email": "a@exemple.fr"},
        file_field="files", file_name="enorme.pdf", file_size=GIB,
    )  # fmt: skip
    response = run("/api/v1/enquiries", body, HTTP_AUTHORIZATION="Bearer inconnu")
    assert response.status_code == 413
    assert body.position < MIB
    (problem,) = json.loads(response.content)["detail"]
    assert "Votre envoi dépasse" in problem["message"]


def test_one_file_past_its_limit_is_not_written_to_disk_beyond_the_limit(team, settings, tmp_path):
    """Within the request limit, a file above the per-file limit is read but not kept:
    the form names it, and the disk never holds more than the limit of it."""
    settings.LEVIER_UPLOAD_MAX_BYTES = 1 * MIB
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = LazyMultipartBody(
        fields=enquiry_fields(team), file_field="attachments", file_name="gros.pdf",
        file_size=30 * MIB, watch=tmp_path,
    )  # fmt: skip
    response = run(reverse("portal:enquiry_new"), body)
    assert response.status_code == 400
    assert "« gros.pdf » dépasse la limite de 1,0\xa0Mio" in response.content.decode()
    assert body.most_on_disk <= MIB + 1, f"{body.most_on_disk} bytes on disk"
    assert not Attachment.objects.exists()


def test_the_request_limit_is_a_setting(team, settings):
    settings.LEVIER_REQUEST_MAX_BYTES = 2 * MIB
    body = LazyMultipartBody(
        fields=enquiry_fields(team), file_field="attachments", file_name="moyen.pdf",
        file_size=3 * MIB,
    )  # fmt: skip
    response = run(reverse("portal:enquiry_new"), body)
    assert response.status_code == 413 and body.position == 0
    assert "2,0\xa0Mio" in response.content.decode()
