"""Browser forms for towns, plans, tasks, documents and assessment; choices limited to the user's scope."""

from core.forms import ledger_form

from . import models

TownForm = ledger_form(models.Town, __name__)
SourceDocumentForm = ledger_form(models.SourceDocument, __name__)
ProgrammeMembershipForm = ledger_form(models.ProgrammeMembership, __name__)
ReformPlanForm = ledger_form(models.ReformPlan, __name__)
ReformTaskForm = ledger_form(models.ReformTask, __name__)
AssessmentSchemeForm = ledger_form(models.AssessmentScheme, __name__)
AssessmentScoreForm = ledger_form(models.AssessmentScore, __name__)
TownAnnualAssessmentForm = ledger_form(models.TownAnnualAssessment, __name__)
