"""Spreadsheet import of a territorial-management list's items, with the catalogue import's rules.

The file is read by ``delegation.importing.read_table`` (same limits, same Chinese headers); every row
is written through ``core.services`` in one transaction, rolled back whole when any row has a problem
and always for a preview. Items are matched by their number in the list, so a corrected file updates
the same items instead of duplicating them.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import services
from core.scoping import can_edit
from delegation.importing import Column, ImportResult, Problem, _all_or_nothing, _choice, _upsert
from delegation.models import Department

from .models import ItemCategory, ResponsibilityItem

ITEM_COLUMNS = [
    Column("number", gettext_noop("序号"), True),
    Column("name", gettext_noop("事项名称"), True),
    Column("category", gettext_noop("类别")),
    Column("legal_basis", gettext_noop("依据")),
    Column("main_unit", gettext_noop("主体责任单位"), True),
    Column("main_duty", gettext_noop("主体责任")),
    Column("cooperating_units", gettext_noop("配合责任单位")),
    Column("cooperating_duty", gettext_noop("配合责任")),
]

# What a list writes for "the town" as the main-responsibility unit.
TOWN_WORDS = {"乡镇", "镇街", "乡镇(街道)", "乡镇（街道）", "镇", "街道", "属地乡镇"}


TEXT_FIELDS = ("legal_basis", "main_duty", "cooperating_units", "cooperating_duty")


def item_notes():
    return {
        "number": str(_("清单中的序号,整数;再次导入时按序号更新同一事项")),
        "category": "、".join(str(label) for label in ItemCategory.labels),
        "main_unit": str(_("填“乡镇(街道)”或县直部门的名称;部门不存在时新建")),
    }


def _clean_row(values):
    """(cleaned values, {column key: reason}) for one row, before any lookup."""
    errors, cleaned = {}, dict(values)
    for column in ITEM_COLUMNS:
        if column.required and not values.get(column.key):
            errors[column.key] = _("必填项为空。")
    number = values.get("number", "")
    if number and not number.isdigit():
        errors["number"] = _("序号应为正整数。")
    cleaned["category"] = ItemCategory.OTHER
    if values.get("category"):
        cleaned["category"] = _choice(values["category"], ItemCategory.choices)
        if cleaned["category"] is None:
            errors["category"] = _("“%(v)s”不是有效的选项。") % {"v": values["category"]}
    return cleaned, errors


def item_import(*, user, responsibility_list, rows, dry_run=False):
    """Import item rows into ``responsibility_list``: created, updated or left as they are."""
    if not can_edit(user, responsibility_list):
        raise PermissionDenied(_("您无权修改此记录。"))
    columns = {c.key: str(c.header) for c in ITEM_COLUMNS}

    def write():
        result = ImportResult()
        departments = {d.name: d for d in Department.objects.filter(county=responsibility_list.county)}
        seen = {}
        for number, values in rows:
            cleaned, errors = _clean_row(values)
            if not errors and cleaned["number"] in seen:
                errors = {"number": _("与第 %(n)s 行序号重复。") % {"n": seen[cleaned["number"]]}}
            if not errors:
                seen[cleaned["number"]] = number
                errors = _write_row(user, responsibility_list, cleaned, departments, result)
            result.problems += [Problem(number, columns.get(k, k), str(reason)) for k, reason in errors.items()]
        if result.ok:
            services.record_import(
                user=user, what="responsibility_items", created=result.created, updated=result.updated
            )
        return result

    return _all_or_nothing(write, dry_run)


def _main_unit(user, responsibility_list, name, departments):
    """(main_unit, department) for the text of the main-responsibility column."""
    if name in TOWN_WORDS:
        return ResponsibilityItem.MainUnit.TOWN, None
    department = departments.get(name)
    if department is None:
        department = services.record_create(
            Department, user=user, data={"county": responsibility_list.county, "name": name}
        )
        departments[name] = department
    return ResponsibilityItem.MainUnit.DEPARTMENT, department


def _write_row(user, responsibility_list, cleaned, departments, result):
    """Write one row in its own savepoint; returns {column key: reason} for what was refused."""
    try:
        with transaction.atomic():
            main_unit, department = _main_unit(user, responsibility_list, cleaned["main_unit"], departments)
            data = {
                "responsibility_list": responsibility_list,
                "number": int(cleaned["number"]),
                "name": cleaned["name"],
                "category": cleaned["category"],
                "main_unit": main_unit,
                "main_department": department,
                **{k: cleaned.get(k) or "" for k in TEXT_FIELDS},
            }
            existing = ResponsibilityItem.objects.filter(
                responsibility_list=responsibility_list, number=data["number"]
            ).first()
            _upsert(existing, ResponsibilityItem, user, data, result)
    except ValidationError as e:
        if hasattr(e, "error_dict"):
            keys = {c.key for c in ITEM_COLUMNS}
            renamed = {"main_department": "main_unit"}
            return {
                (renamed.get(k, k) if renamed.get(k, k) in keys else "name"): " ".join(e.message_dict[k])
                for k in e.error_dict
            }
        return {"name": " ".join(e.messages)}
    except IntegrityError:
        return {"number": _("与已有记录冲突。")}
    return {}
