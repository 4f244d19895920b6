"""Browser forms: the list records (through ``core.forms``), raising a call, and each step of one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import LEDGER_EXCLUDE, LedgerForm, choice_queryset, date_widgets
from core.pickers import use_pickers
from core.scoping import visible
from delegation.models import Department
from reforms.models import Town

from . import models
from .selectors import items_in_force
from .services import Decision


class ResponsibilityListForm(LedgerForm):
    class Meta:
        model = models.ResponsibilityList
        exclude = LEDGER_EXCLUDE
        widgets = date_widgets(models.ResponsibilityList)


class ResponsibilityItemForm(LedgerForm):
    class Meta:
        model = models.ResponsibilityItem
        exclude = LEDGER_EXCLUDE
        widgets = date_widgets(models.ResponsibilityItem)


class CallPolicyForm(LedgerForm):
    class Meta:
        model = models.CallPolicy
        exclude = LEDGER_EXCLUDE


class ItemImportForm(forms.Form):
    """Which list an uploaded spreadsheet of items goes into."""

    responsibility_list = forms.ModelChoiceField(
        label=_("属地管理清单"), queryset=models.ResponsibilityList.objects.none()
    )
    file = forms.FileField(label=_("文件(XLSX 或 CSV)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsibility_list"].queryset = choice_queryset(user, models.ResponsibilityList)


class CallRaiseForm(forms.Form):
    """What a town clerk fills in to call a county department."""

    town = forms.ModelChoiceField(label=_("呼叫镇"), queryset=Town.objects.none())
    department = forms.ModelChoiceField(label=_("响应部门"), queryset=Department.objects.none())
    item = forms.ModelChoiceField(
        label=_("清单事项"),
        queryset=models.ResponsibilityItem.objects.none(),
        required=False,
        help_text=_("清单外事项留空,将标注为清单外"),
    )
    subject = forms.CharField(label=_("事由"), max_length=200)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    description = forms.CharField(label=_("情况描述"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=models.Urgency.choices, initial=models.Urgency.NORMAL)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        towns = visible(user, Town)
        self.fields["town"].queryset = towns
        if user.town_id:
            self.fields["town"].initial = user.town_id
        self.fields["department"].queryset = visible(user, Department).order_by("name")
        self.fields["item"].queryset = items_in_force(user=user).select_related("main_department")
        use_pickers(self)  # 132 list items, a county's departments: typed into, not scrolled


class StepForm(forms.Form):
    """One step of a call; which fields count depends on the step (``services`` checks them)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReturnForm(StepForm):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}))
    note = None


class RespondForm(StepForm):
    response = forms.CharField(label=_("处置情况"), widget=forms.Textarea(attrs={"rows": 3}))
    note = None


class ArbitrateForm(StepForm):
    decision = forms.ChoiceField(
        label=_("裁定结果"),
        choices=[(Decision.DEPARTMENT, _("由部门办理")), (Decision.TOWN, _("属镇职责,维持退回"))],
    )
    ruling = forms.CharField(label=_("裁定依据"), widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.ModelChoiceField(
        label=_("改派部门"), queryset=Department.objects.none(), required=False, help_text=_("留空则仍由原部门办理")
    )
    note = None

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = visible(user, Department).order_by("name")


class EvaluateForm(StepForm):
    rating = forms.ChoiceField(label=_("评价"), choices=models.Call.Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("评价意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=_("不满意时必填")
    )
    note = None
