"""A take-over names its date and receiving organ; a power not taken over names one of the documents' causes.

Existing rows are brought to the rules: the free-text reason is read for the cause it names (and kept as
the explanation), a taken-over power without a date is dated on its delegation, and one without a
receiving organ gets its town's organ that fits its type (enforcement for penalties and coercion, the
service centre otherwise), when the town has organs at all.
"""

from django.db import migrations, models

# Words in a free-text reason → the cause it names; checked in this order.
CAUSE_WORDS = [
    ("dispatched_agency", ("派驻",)),
    ("no_trained_staff", ("培训", "人员", "专业", "资质")),
    ("does_not_fit", ("不适合", "不适应", "不符合", "需求")),
]
ENFORCEMENT_TYPES = ("02", "03")


def cause_of(reason):
    for cause, words in CAUSE_WORDS:
        if any(word in reason for word in words):
            return cause
    return "other"


def organ_for(organs, type_code):
    """The organ of the town that most likely received a power of ``type_code``."""
    words = ("执法",) if type_code in ENFORCEMENT_TYPES else ("便民", "政务", "审批")
    for organ in organs:
        if any(word in organ.name for word in words):
            return organ
    return organs[0] if organs else None


def forwards(apps, schema_editor):
    DelegatedPower = apps.get_model("delegation", "DelegatedPower")
    Organ = apps.get_model("staffing", "Organ")
    for power in DelegatedPower.objects.filter(take_over_status="not_taken_over"):
        power.not_taken_over_cause = cause_of(power.not_taken_over_reason)
        power.save(update_fields=["not_taken_over_cause"])
    organs = {}
    for organ in Organ.objects.order_by("kind", "pk"):
        organs.setdefault(organ.town_id, []).append(organ)
    taken = DelegatedPower.objects.filter(take_over_status="taken_over").select_related("item")
    for power in taken.filter(models.Q(take_over_on__isnull=True) | models.Q(receiving_organ__isnull=True)):
        power.take_over_on = power.take_over_on or power.delegated_on
        power.receiving_organ = power.receiving_organ or organ_for(organs.get(power.town_id, []), power.item.type_code)
        power.save(update_fields=["take_over_on", "receiving_organ"])


class Migration(migrations.Migration):

    dependencies = [
        ('delegation', '0006_case_counts_bounded_on_every_database'),
        ('reforms', '0001_initial'),
        ('staffing', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='delegatedpower',
            name='power_not_taken_over_has_reason',
        ),
        migrations.AddField(
            model_name='delegatedpower',
            name='not_taken_over_cause',
            field=models.CharField(blank=True, choices=[('no_trained_staff', '缺少经培训的人员'), ('dispatched_agency', '派驻机构管理体制未理顺'), ('does_not_fit', '不适合本镇实际'), ('other', '其他')], max_length=20, verbose_name='未承接原因'),
        ),
        migrations.AddField(
            model_name='historicaldelegatedpower',
            name='not_taken_over_cause',
            field=models.CharField(blank=True, choices=[('no_trained_staff', '缺少经培训的人员'), ('dispatched_agency', '派驻机构管理体制未理顺'), ('does_not_fit', '不适合本镇实际'), ('other', '其他')], max_length=20, verbose_name='未承接原因'),
        ),
        migrations.AlterField(
            model_name='delegatedpower',
            name='not_taken_over_reason',
            field=models.CharField(blank=True, help_text='原因为“其他”时必填', max_length=300, verbose_name='未承接原因说明'),
        ),
        migrations.AlterField(
            model_name='historicaldelegatedpower',
            name='not_taken_over_reason',
            field=models.CharField(blank=True, help_text='原因为“其他”时必填', max_length=300, verbose_name='未承接原因说明'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='delegatedpower',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('take_over_status', 'taken_over'), _negated=True), ('take_over_on__isnull', False), _connector='OR'), name='power_taken_over_has_date', violation_error_message='已承接的事项必须填写承接日期。'),
        ),
        migrations.AddConstraint(
            model_name='delegatedpower',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('take_over_status', 'not_taken_over'), _negated=True), models.Q(('not_taken_over_cause', ''), _negated=True), _connector='OR'), name='power_not_taken_over_has_cause', violation_error_message='未承接到位的事项必须选择原因。'),
        ),
        migrations.AddConstraint(
            model_name='delegatedpower',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('not_taken_over_cause', 'other'), _negated=True), models.Q(('not_taken_over_reason', ''), _negated=True), _connector='OR'), name='power_other_cause_explained', violation_error_message='原因为“其他”时必须说明具体原因。'),
        ),
    ]
