"""Demo data for the life of a delegated power: who took it over, why not, later editions, training, inspection.

Kept apart from ``demo/`` so that the demo loader calls it in one line per step.
"""

from staffing.models import Organ

from .models import DelegatedPower

ENFORCEMENT_TYPES = ("02", "03")
# The demo's free-text reasons → the documents' causes; anything else is "other", with its text.
DEMO_CAUSES = {
    "缺少具备资质的专业人员": DelegatedPower.NotTakenOverCause.NO_TRAINED_STAFF,
    "派驻机构管理机制不完善": DelegatedPower.NotTakenOverCause.DISPATCHED_AGENCY,
}
# Generated where a document names no organ of the town, so that every taken-over power has one.
GENERATED_ORGAN = "便民服务中心"


def not_taken_over_fields(reason):
    """The cause and explanation of a demo power not taken over, from its free-text reason."""
    cause = DEMO_CAUSES.get(reason, DelegatedPower.NotTakenOverCause.OTHER)
    return {"not_taken_over_cause": cause, "not_taken_over_reason": reason}


def receiving_organ(town, type_code):
    """The town organ that takes over a power of ``type_code``: enforcement or the service centre."""
    organs = list(Organ.objects.filter(town=town).order_by("kind", "pk"))
    words = ("执法",) if type_code in ENFORCEMENT_TYPES else ("便民", "政务", "审批")
    for organ in organs:
        if any(word in organ.name for word in words):
            return organ
    if organs:
        return organs[0]
    organ, _created = Organ.objects.get_or_create(
        town=town,
        name=GENERATED_ORGAN,
        defaults={"kind": Organ.Kind.INSTITUTION, "is_mandatory": False, "is_generated": True},
    )
    return organ
