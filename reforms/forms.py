"""Browser forms for towns, plans, tasks, documents and assessment; choices limited to the user's scope."""

from core.forms import ledger_form

from . import models

TownForm = ledger_form(models.Town, __name__)
SourceDocumentForm = ledger_form(models.SourceDocument, __name__)
ProgrammeMembershipForm = ledger_form(models.ProgrammeMembership, __name__)
ReformPlanForm = ledger_form(models.ReformPlan, __name__)
ReformTaskForm = ledger_form(models.ReformTask, __name__)
AssessmentSchemeForm = ledger_form(models.AssessmentScheme, __name__)


class AssessmentScoreForm(ledger_form(models.AssessmentScore, __name__)):
    """A score, with the assessed department's call-and-respond record for the year beside the town's score.

    The record is evidence only: the town still decides its score.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from territory.selectors import response_record_note

        score = self.instance
        town = score.town if score.town_id else self.initial.get("town")
        unit, year = score.assessed_unit or self.initial.get("assessed_unit"), score.year or self.initial.get("year")
        county_id = (
            getattr(town, "county_id", None)
            or models.Town.objects.filter(pk=town).values_list("county_id", flat=True).first()
        )
        if county_id and unit and year:
            note = response_record_note(user=self.user, county_id=county_id, assessed_unit=unit, year=int(year))
            if note:
                self.fields["town_score"].help_text = note


TownAnnualAssessmentForm = ledger_form(models.TownAnnualAssessment, __name__)
