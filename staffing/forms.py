"""Browser forms for organs, nameplates, headcount, filled posts, secondments and policies."""

from core.forms import ledger_form

from . import models

OrganForm = ledger_form(models.Organ, __name__)
NameplateForm = ledger_form(models.Nameplate, __name__)
HeadcountQuotaForm = ledger_form(models.HeadcountQuota, __name__)
FilledPostsForm = ledger_form(models.FilledPosts, __name__)
SecondmentForm = ledger_form(models.Secondment, __name__)
StaffingPolicyForm = ledger_form(models.StaffingPolicy, __name__)
