"""The base of every FilterSet: filter by region (any level) and by town, by their codes.

In the browser the three are searchable pickers of names (``core.pickers``), limited to the user's
scope; the query string still carries the code, so the API and bookmarked URLs keep working.

FilterSets are defined once per model in each app's ``filters.py`` and used by both the HTML lists
and the API, so a filter a clerk uses in the browser is the filter an engineer uses over HTTP.
"""

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from django_filters.utils import verbose_lookup_expr

from core.pickers import filter_widgets
from core.registry import town_model
from core.scoping import at_or_under
from core.ui_values import column_label

# A yes/no filter left empty filters nothing: its empty choice reads 全部, not django-filter's 未知.
YES_NO_ALL = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


def filter_label(model, field_name, lookup_expr):
    """The field's own name, once: 权力类型, not the chain 下放事项 权力事项 权力类型 of every relation."""
    try:
        label = str(column_label(model, field_name))
    except FieldDoesNotExist:
        label = field_name
    lookup = str(verbose_lookup_expr(lookup_expr))
    return f"{label} {lookup}" if lookup else label


class LedgerFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(
        method="filter_region", label=_("区域"), help_text=_("省、市或县的 6 位区划代码")
    )
    county = django_filters.CharFilter(
        method="filter_region", label=_("县"), help_text=_("县级 6 位区划代码;与 region 相同,便于按县筛选")
    )
    town = django_filters.CharFilter(method="filter_town", label=_("镇"), help_text=_("12 位统计用区划代码"))

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            self._pickers(user, data or {})

    def _pickers(self, user, data):
        """Pickers of names in place of typed codes; the town list narrows to the region chosen."""
        names = [name for name in ("region", "county", "town") if name in self.filters]
        for name, widget in filter_widgets(user, data, names).items():
            self.filters[name].extra.update(widget=widget, help_text="")

    @classmethod
    def get_filters(cls):
        # Label every filter from its model field up front (django-filter does it only once bound),
        # so that the API schema documents each filter as the HTML form labels it.
        filters = super().get_filters()
        model = cls._meta.model
        for filter_ in filters.values():
            if model is not None and filter_._label is None and filter_.field_name:
                filter_.label = filter_label(model, filter_.field_name, filter_.lookup_expr)
            if isinstance(filter_, django_filters.BooleanFilter) and "widget" not in filter_.extra:
                filter_.extra["widget"] = forms.Select(choices=YES_NO_ALL)
        return filters

    def filter_region(self, queryset, name, value):
        return queryset.filter(at_or_under(queryset.model.scope_path, value, by="code"))

    def filter_town(self, queryset, name, value):
        model = queryset.model
        if model is town_model():
            return queryset.filter(code=value)
        if not model.town_path:
            return queryset.none()
        return queryset.filter(**{f"{model.town_path}__code": value})
