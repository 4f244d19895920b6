from core.api.serializers import LedgerSerializer

from .. import models


class FiscalArrangementSerializer(LedgerSerializer):
    class Meta:
        model = models.FiscalArrangement
        fields = "__all__"


class FiscalYearRecordSerializer(LedgerSerializer):
    class Meta:
        model = models.FiscalYearRecord
        fields = "__all__"
