"""The dashboards' workbooks neutralise text a spreadsheet would run as a formula, as every export does."""

import io

from openpyxl import load_workbook

from core.export import workbook_response


def test_workbook_response_neutralises_formula_text_and_keeps_numbers():
    sheets = [("镇排名", ["镇", "下放事项"], [['=HYPERLINK("http://x")', 12], ["大王镇", 7.5]])]
    response = workbook_response("dashboard-test", sheets)
    assert response["Content-Disposition"] == 'attachment; filename="dashboard-test.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content))["镇排名"]
    assert list(sheet.values) == [("镇", "下放事项"), ('\'=HYPERLINK("http://x")', 12), ("大王镇", 7.5)]
