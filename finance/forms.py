"""Browser forms for fiscal arrangements and their yearly records."""

from core.forms import ledger_form

from . import models

FiscalArrangementForm = ledger_form(models.FiscalArrangement, __name__)
FiscalYearRecordForm = ledger_form(models.FiscalYearRecord, __name__)
