"""Browser forms for delegation records; every choice is limited to the user's county."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import LEDGER_EXCLUDE, LedgerForm, choice_queryset, date_widgets
from core.scoping import at_or_under
from reforms.models import Town

from . import models


class DepartmentForm(LedgerForm):
    class Meta:
        model = models.Department
        exclude = LEDGER_EXCLUDE


class PowerItemForm(LedgerForm):
    class Meta:
        model = models.PowerItem
        exclude = LEDGER_EXCLUDE


class DelegationCatalogueForm(LedgerForm):
    class Meta:
        model = models.DelegationCatalogue
        exclude = LEDGER_EXCLUDE
        widgets = date_widgets(models.DelegationCatalogue)


class DelegatedPowerForm(LedgerForm):
    class Meta:
        model = models.DelegatedPower
        exclude = LEDGER_EXCLUDE
        widgets = date_widgets(models.DelegatedPower)


class MonthlyCaseCountForm(LedgerForm):
    """One month's counts for one delegated power, typed in where no spreadsheet or feed supplies them."""

    class Meta:
        model = models.MonthlyCaseCount
        exclude = LEDGER_EXCLUDE
        # A county holds hundreds of powers: the clerk types the power's number shown on its page.
        widgets = {"power": forms.NumberInput, **date_widgets(models.MonthlyCaseCount)}
        help_texts = {"power": _("下放事项编号(见下放事项页面)"), "month": _("可填该月任意一天,按当月记录")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        power = self._power()
        if power is not None:
            # The number alone says nothing to the clerk: name the power it stands for.
            self.fields["power"].help_text = _("当前:%(power)s") % {"power": power}

    def _power(self):
        if self.instance.power_id:
            return self.instance.power
        # A refused save shows the form again: name the power typed, not only the one the link filled in.
        number = self.data.get(self.add_prefix("power")) if self.is_bound else self.initial.get("power")
        queryset = self.fields["power"].queryset
        return queryset.select_related("town", "item").filter(pk=number).first() if str(number).isdigit() else None

    def clean_month(self):
        month = self.cleaned_data["month"]
        return month.replace(day=1) if month else month


def _ledger_form(model_class):
    """The plain ledger form of a training or supervision record."""
    meta = type("Meta", (), {"model": model_class, "exclude": LEDGER_EXCLUDE, "widgets": date_widgets(model_class)})
    return type(f"{model_class.__name__}Form", (LedgerForm,), {"Meta": meta})


TrainingForm = _ledger_form(models.Training)
TrainingCoverageForm = _ledger_form(models.TrainingCoverage)
InspectionRoundForm = _ledger_form(models.InspectionRound)
ScoreItemForm = _ledger_form(models.ScoreItem)
InspectionScoreForm = _ledger_form(models.InspectionScore)
FindingForm = _ledger_form(models.Finding)
ItemPointsForm = _ledger_form(models.ItemPoints)


class ScoreSheetForm(forms.Form):
    """A town's points on each item of a round's score sheet, entered on one page (逐项评分)."""

    town = forms.ModelChoiceField(label=_("镇"), queryset=Town.objects.none())
    remarks = forms.CharField(label=_("评语"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, inspection, items, **kwargs):
        super().__init__(*args, **kwargs)
        towns = choice_queryset(user, Town).filter(at_or_under("county", inspection.region_id))
        self.fields["town"].queryset = towns.order_by("code")
        self.items = items
        for item in items:
            self.fields[self.item_field(item)] = forms.DecimalField(
                label=item.name,
                max_digits=5,
                decimal_places=1,
                # Blanks and the range are checked by the service, whose message names the item.
                required=False,
                help_text=_("满分 %(max)s") % {"max": item.max_points},
            )

    @staticmethod
    def item_field(item):
        return f"item_{item.pk}"

    def points(self):
        """{item id: points} of the items the form holds a valid value for."""
        return {item.pk: self.cleaned_data.get(self.item_field(item)) for item in self.items}


class CatalogueImportForm(forms.Form):
    """Which catalogue and town an uploaded catalogue spreadsheet goes into."""

    catalogue = forms.ModelChoiceField(label=_("放权目录"), queryset=models.DelegationCatalogue.objects.none())
    town = forms.ModelChoiceField(
        label=_("适用镇"), queryset=Town.objects.none(), required=False, help_text=_("目录只适用于一个镇时可留空")
    )
    file = forms.FileField(label=_("文件(XLSX 或 CSV)"))
    new_edition = forms.BooleanField(
        label=_("按新版目录导入"),
        required=False,
        help_text=_("文件列出新版目录的全部事项:本镇现行事项未列入的将被收回,下放方式不同的将按新方式重新下放"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalogue"].queryset = choice_queryset(user, models.DelegationCatalogue).select_related("town")
        self.fields["town"].queryset = choice_queryset(user, Town)

    def clean(self):
        cleaned = super().clean()
        catalogue, town = cleaned.get("catalogue"), cleaned.get("town")
        if catalogue is None:
            return cleaned
        if catalogue.town_id:
            if town is not None and town.pk != catalogue.town_id:
                self.add_error("town", _("该目录只适用于%(town)s。") % {"town": catalogue.town})
            cleaned["town"] = catalogue.town
        elif town is None:
            self.add_error("town", _("该目录适用于全县,请选择要导入的镇。"))
        elif town.county_id != catalogue.county_id:
            self.add_error("town", _("该镇不属于目录的发布县。"))
        return cleaned
