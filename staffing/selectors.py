"""Read paths for staffing: the headcount figures in force."""

from django.db.models import Exists, OuterRef

from .models import FilledPosts, HeadcountQuota

# The date that orders each model's figures: when a quota takes effect, when posts were counted.
DATED_BY = {HeadcountQuota: "effective_on", FilledPosts: "as_of"}


def latest_headcount(model, as_of=None):
    """The rows of ``model`` (HeadcountQuota or FilledPosts) that are the latest per town and post type.

    Latest on or before ``as_of``, or of all when it is None. The one definition of the headcount in
    force: the towns page and the statistics (figures and the overstaffing alert) read it from here.
    """
    date = DATED_BY[model]
    until = {} if as_of is None else {f"{date}__lte": as_of}
    newer = model.objects.filter(
        town=OuterRef("town"), post_type=OuterRef("post_type"), **until, **{f"{date}__gt": OuterRef(date)}
    )
    return model.objects.filter(**until).exclude(Exists(newer))
