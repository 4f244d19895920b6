from core.api.serializers import LedgerSerializer

from .. import models


class OrganSerializer(LedgerSerializer):
    class Meta:
        model = models.Organ
        fields = "__all__"


class NameplateSerializer(LedgerSerializer):
    class Meta:
        model = models.Nameplate
        fields = "__all__"


class HeadcountQuotaSerializer(LedgerSerializer):
    class Meta:
        model = models.HeadcountQuota
        fields = "__all__"


class FilledPostsSerializer(LedgerSerializer):
    class Meta:
        model = models.FilledPosts
        fields = "__all__"


class SecondmentSerializer(LedgerSerializer):
    class Meta:
        model = models.Secondment
        fields = "__all__"


class StaffingPolicySerializer(LedgerSerializer):
    class Meta:
        model = models.StaffingPolicy
        fields = "__all__"
