"""An empty workbook of the canonical tables for analysts to fill in (``prebirth template``)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from .schema import TABLES

README = [
    "Pre-birth Data Book: data template",
    "",
    "One sheet per table. Keep the header row as it is; add one row per record.",
    "Only the 'children' sheet is required; each chapter says which tables it needs.",
    "Dates: YYYY-MM-DD (or DD/MM/YYYY). Blank = not recorded.",
    "The table below says which columns are required when a sheet is used. Coded columns have a drop-down list.",
    "Delete sheets you do not fill in, or leave them with the header row only.",
]
MAX_ROWS = 100_000


def write_template(path: Path) -> Path:
    """Write the workbook; never overwrites an existing file."""
    path = Path(path)
    workbook = Workbook()
    readme = workbook.active
    readme.title = "README"
    for line in README:
        readme.append([line])
    readme.append([])
    readme.append(["table", "column", "required", "what to enter"])
    for cell in readme[readme.max_row]:
        cell.font = Font(bold=True)
    for table in TABLES.values():
        for column in table.columns:
            allowed = f"one of: {', '.join(column.codes)}" if column.codes else ""
            kind = {"date": "a date", "yn": "Y or N", "int": "a whole number", "float": "a number",
                    "codes": "codes separated by ;"}.get(column.kind, "")
            readme.append([table.name, column.name, "yes" if column.required else "",
                           "; ".join(x for x in (kind, allowed, column.help) if x)])
    readme.column_dimensions["D"].width = 80
    for table in TABLES.values():
        sheet = workbook.create_sheet(table.name)
        sheet.append([c.name for c in table.columns])
        for index, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = max(14, len(column.name) + 4)
            if column.codes:
                validation = DataValidation(type="list", formula1='"' + ",".join(column.codes) + '"',
                                            allow_blank=True, showErrorMessage=True,
                                            errorTitle=f"{column.name}", error="Choose a value from the list")
                sheet.add_data_validation(validation)
                validation.add(f"{cell.column_letter}2:{cell.column_letter}{MAX_ROWS}")
        sheet.freeze_panes = "A2"
    workbook.save(path)
    return path
