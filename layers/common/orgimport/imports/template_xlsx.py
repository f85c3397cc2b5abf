"""The workbook template of a kind (`GET /<kind>/import/template?format=xlsx`): the header
and the example rows on the first sheet, the columns whose leading zeros matter (VAT,
phone) formatted as text so that Excel keeps them, and a second sheet that explains
each column and its rules in Italian and in English. openpyxl is imported here, only
when a workbook is asked for."""

from __future__ import annotations

import io

from orgimport.imports.kind import Kind

TEXT_FORMAT = "@"
# rows of the first sheet formatted as text ahead of what the user will type
_TEXT_ROWS = 1001


def workbook_filename(kind: Kind) -> str:
    return f"{kind.name}_import_template.xlsx"


def template_workbook(kind: Kind) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = kind.name
    sheet.append(list(kind.column_names))
    for example in kind.template_rows:
        sheet.append([example.get(c, "") for c in kind.column_names])
    for index, column in enumerate(kind.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
        sheet.cell(1, index).font = Font(bold=True)
        if column.as_text:
            for row in range(2, _TEXT_ROWS + 1):
                sheet.cell(row, index).number_format = TEXT_FORMAT
    sheet.freeze_panes = "A2"
    guide = book.create_sheet("Guida - Guide")
    guide.append(["colonna / column", "obbligatoria / required", "italiano", "English"])
    for column in kind.columns:
        required = "sì / yes" if column.required else "no"
        guide.append([column.name, required, *column.guide])
    for letter, width in zip("ABCD", (18, 22, 70, 70), strict=True):
        guide.column_dimensions[letter].width = width
    for cell in guide[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
