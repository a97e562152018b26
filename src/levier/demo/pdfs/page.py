"""Page layout: a thin layer over FPDF with the few layouts the documents need."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy
import zxingcpp
from fpdf import FPDF
from PIL import Image

from .common import SPECIMEN

TWO_D_DOC_SIZE_MM = 25


def datamatrix_image(message: str) -> Image.Image:
    """A square DataMatrix of the 2D-Doc message, 4 pixels a module with its quiet zone."""
    barcode = zxingcpp.create_barcode(message, zxingcpp.BarcodeFormat.DataMatrix, force_square=True)
    return Image.fromarray(numpy.asarray(barcode.to_image(scale=4)))


class Page:
    """A thin layer over FPDF with the few layouts the documents need.

    It places text with `FPDF.text()` at coordinates it tracks itself: six times
    faster than `cell()`, which measures and lays out every string.
    """

    def __init__(self, pdf: FPDF, family: str, unicode: bool):
        self.pdf = pdf
        self.family = family
        self.unicode = unicode
        self.y = 0.0
        self.size = 10.0

    def start(self) -> None:
        self.pdf.add_page()
        self.y = self.pdf.t_margin

    def text(self, value: str) -> str:
        if self.unicode:
            return value
        replacements = {
            "—": "-",
            "–": "-",
            "’": "'",
            "€": "EUR",
            "œ": "oe",
            "Œ": "OE",
            "«": '"',
            "»": '"',
            "\u202f": " ",
            "\u00a0": " ",
        }
        for old, new in replacements.items():
            value = value.replace(old, new)
        return value.encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, bold: bool = False) -> None:
        self.size = size
        self.pdf.set_font(self.family, "B" if bold else "", size)

    @property
    def left(self) -> float:
        return self.pdf.l_margin

    @property
    def width(self) -> float:
        return self.pdf.w - self.pdf.l_margin - self.pdf.r_margin

    def put(
        self,
        x: float,
        value: str,
        *,
        height: float,
        align: str = "L",
        box_width: float | None = None,
    ) -> None:
        """Write `value` on the current line, aligned in the box starting at x."""
        value = self.text(value)
        if align != "L":
            box = self.width if box_width is None else box_width
            measured = self.pdf.get_string_width(value)
            x = x + (box - measured) / 2 if align == "C" else x + box - measured - 1.5
        baseline = self.y + height / 2 + self.size * 0.3528 * 0.35
        self.pdf.text(x, baseline, value)

    def line(
        self,
        value: str,
        *,
        size: float = 10,
        bold: bool = False,
        height: float = 5.5,
        align: str = "L",
    ) -> None:
        self.font(size, bold)
        self.put(self.left, value, height=height, align=align)
        self.y += height

    def para(self, value: str, *, size: float = 9.5, height: float = 5) -> None:
        self.font(size)
        characters = int(self.width / (size * 0.3528 * 0.55))
        for text_line in textwrap.wrap(value, width=characters):
            self.put(self.left, text_line, height=height)
            self.y += height

    def gap(self, height: float = 4) -> None:
        self.y += height

    def specimen_banner(self) -> None:
        pdf = self.pdf
        pdf.set_fill_color(235, 235, 235)
        pdf.rect(self.left, self.y, self.width, 6, style="F")
        pdf.set_text_color(110, 110, 110)
        self.font(7.5)
        self.put(self.left, SPECIMEN, height=6, align="C")
        pdf.set_text_color(0, 0, 0)
        self.y += 10

    def two_d_doc(self, message: str | None) -> None:
        """The 2D-Doc as a DataMatrix at the top right, under the banner, as on real notices."""
        if message:
            size = TWO_D_DOC_SIZE_MM
            self.pdf.image(
                datamatrix_image(message), x=self.left + self.width - size, y=self.y, w=size, h=size
            )

    def rule(self) -> None:
        pdf = self.pdf
        pdf.set_draw_color(160, 160, 160)
        pdf.line(self.left, self.y, self.left + self.width, self.y)
        self.y += 2

    def pairs(
        self, rows: Sequence[tuple[str, str]], *, label_width: float = 75, size: float = 10
    ) -> None:
        for label, value in rows:
            self.font(size)
            self.put(self.left, label, height=6.5)
            self.font(size, bold=True)
            self.put(self.left + label_width, value, height=6.5)
            self.y += 6.5

    def table(
        self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
    ) -> None:
        pdf = self.pdf
        pdf.set_draw_color(0, 0, 0)
        pdf.set_fill_color(225, 230, 240)
        self.font(9, bold=True)
        x = self.left
        for title, width in zip(header, widths, strict=True):
            pdf.rect(x, self.y, width, 7, style="DF")
            self.put(x, title, height=7, align="C", box_width=width)
            x += width
        self.y += 7
        self.font(9)
        for row in rows:
            x = self.left
            for position, (value, width) in enumerate(zip(row, widths, strict=True)):
                pdf.rect(x, self.y, width, 6.5)
                if position == 0:
                    self.put(x + 1.5, value, height=6.5)
                else:
                    self.put(x, value, height=6.5, align="R", box_width=width)
                x += width
            self.y += 6.5
