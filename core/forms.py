"""The base of every browser form: scope-limited choices and the optimistic-lock version."""

import copy

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import DecimalValidator
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _

from core.constraints import constraint_fields
from core.pickers import use_pickers
from core.scoping import editable_q, visible
from core.units import CENT, UNIT_LABELS, amount_unit, from_unit, in_unit, is_money, trimmed

# The largest version the column holds (PositiveIntegerField); beyond it a version cannot exist.
VERSION_MAX = 2**31 - 1

# Fields every ledger row has that the office never types in.
LEDGER_EXCLUDE = ["is_generated"]


def choice_queryset(user, model):
    """The rows ``user`` may pick for a ForeignKey to ``model``."""
    choices_for = getattr(model, "choices_for", None)
    if choices_for is not None:
        return choices_for(user)
    if getattr(model, "applies_downwards", False):
        return visible(user, model)
    return model._default_manager.filter(editable_q(user, model))


class LedgerForm(forms.ModelForm):
    """A ModelForm bound to a user: every ForeignKey offers only rows within the user's scope.

    ``version`` travels in a hidden field so that saving a stale copy raises a conflict; an update
    without it is refused, as the API refuses a change without If-Match (else the save would overwrite
    whatever was saved since, unseen).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        use_pickers(self)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = choice_queryset(user, field.queryset.model).order_by(
                    *field.queryset.model._meta.ordering or ["pk"]
                )
        if self.instance.pk:
            self.fields["version"] = version_field(initial=self.instance.version)
        self._amounts_in_clerks_unit()

    def _money_fields(self):
        model = self._meta.model
        names = {f.name for f in model._meta.concrete_fields if is_money(f)}
        return [name for name in self.fields if name in names]

    def _amounts_in_clerks_unit(self):
        """Amounts are typed as the pages show them (万元, 元 or 亩); ``clean`` converts them back."""
        unit = amount_unit(self.instance) if self.instance.pk else None
        for name in self._money_fields():
            field = self.fields[name]
            # Six decimals of 万元 are two of 元: the stored precision, no more.
            field.max_digits, field.decimal_places = None, 6
            field.validators = [v for v in field.validators if not isinstance(v, DecimalValidator)]
            field.widget.attrs["step"] = "any"
            field.help_text = (
                _("单位:%(unit)s") % {"unit": UNIT_LABELS[unit]}
                if unit
                else _("单位:万元(建设用地指标为亩,人均经费补助为元)")
            )
            value = getattr(self.instance, name, None)
            if unit and value is not None:
                self.initial[name] = trimmed(in_unit(value, unit), 6, separators=False)

    def clean(self):
        cleaned = super().clean()
        names = self._money_fields()
        if names:
            unit = amount_unit(construct_instance(self, copy.copy(self.instance)))
            for name in names:
                if cleaned.get(name) is not None:
                    cleaned[name] = from_unit(cleaned[name], unit).quantize(CENT)
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        self._errors_to_fields()

    def _errors_to_fields(self):
        """Show a database constraint's message at the field it is about, not above the form."""
        errors = self._errors.get(NON_FIELD_ERRORS) if self._errors else None
        if not errors:
            return
        targets = {
            message: [f for f in fields if f in self.fields]
            for message, fields in constraint_fields(self._meta.model, self.instance).items()
        }
        kept = []
        for error in errors.as_data():
            fields = targets.get(error.messages[0])
            if not fields:
                kept.append(error)
            for field in fields or []:
                self._errors.setdefault(field, self.error_class(renderer=self.renderer)).extend(error.messages)
        del self._errors[NON_FIELD_ERRORS]
        if kept:
            self._errors[NON_FIELD_ERRORS] = self.error_class(kept, error_class="nonfield", renderer=self.renderer)

    def model_data(self):
        """Cleaned values of the model's own fields, for the write services."""
        names = {f.name for f in self._meta.model._meta.get_fields()} - {"version"}
        return {k: v for k, v in self.cleaned_data.items() if k in names}


MISSING_VERSION = _("缺少您读取时的版本号,未保存。请重新打开页面,查看最新内容后再操作。")


def version_field(**kwargs):
    """The hidden, required version a save or delete read: any missing or malformed value gets one message."""
    messages = dict.fromkeys(("required", "invalid", "min_value", "max_value"), MISSING_VERSION)
    return forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX, error_messages=messages, **kwargs
    )


class VersionForm(forms.Form):
    """What a delete posts: the version of the row the user confirmed deleting."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = version_field()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_widgets(model):
    """A native date picker for every DateField of ``model``."""
    return {f.name: DateInput() for f in model._meta.concrete_fields if f.get_internal_type() == "DateField"}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件(XLSX 或 CSV)"))


def ledger_form(model_class, module):
    """A LedgerForm for every editable field of ``model_class``, with date pickers."""
    meta = type("Meta", (), {"model": model_class, "exclude": LEDGER_EXCLUDE, "widgets": date_widgets(model_class)})
    return type(f"{model_class.__name__}Form", (LedgerForm,), {"Meta": meta, "__module__": module})
