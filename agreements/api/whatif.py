"""The what-if in the API: what if these technicians left? Only the agreements relying on them
are evaluated, as the what-if page evaluates them, and nothing is saved."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from agreements.api.live_coverage import MONEY, TechnicianRefSerializer, risk_kind_field
from agreements.coverage.models import CoverageStatus
from agreements.models import Agreement
from agreements.planning.whatif import what_if_technicians_leave
from core.bounds import ID_MAX
from core.validators import date_in_range
from skills.selectors import technicians_available_to

WHAT_IF_MAX_TECHNICIANS = 50  # as the what-if page's form
WHAT_IF_MAX_ROWS = 500  # agreements per list of one what-if answer


class WhatIfInputSerializer(serializers.Serializer):
    technician_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        allow_empty=False,
        max_length=WHAT_IF_MAX_TECHNICIANS,
        help_text=f"The technicians to imagine gone (at most {WHAT_IF_MAX_TECHNICIANS}), each "
        "available on the day.",
    )
    day = serializers.DateField(
        required=False, validators=[date_in_range], help_text="Default: today."
    )
    offset = serializers.IntegerField(
        required=False, default=0, min_value=0, help_text="Rows of each list to skip."
    )
    limit = serializers.IntegerField(
        required=False,
        default=100,
        min_value=1,
        max_value=WHAT_IF_MAX_ROWS,
        help_text="Rows of each list to give; the counts give them all.",
    )

    def validate(self, attrs):
        attrs["day"] = attrs.get("day") or timezone.localdate()
        ids = list(dict.fromkeys(attrs["technician_ids"]))
        technicians = technicians_available_to(self.context["request"].user, day=attrs["day"])
        names = dict(technicians.filter(pk__in=ids).values_list("pk", "name"))
        unknown = [str(pk) for pk in ids if pk not in names]
        if unknown:
            raise serializers.ValidationError(
                {
                    "technician_ids": [
                        "Not a technician available on that day: " + ", ".join(unknown) + "."
                    ]
                }
            )
        attrs["technicians"] = [{"id": pk, "name": names[pk]} for pk in ids]
        return attrs


class RequirementChangeSerializer(serializers.Serializer):
    requirement_id = serializers.IntegerField()
    label = serializers.CharField()
    before = serializers.ChoiceField(choices=CoverageStatus.choices)
    after = serializers.ChoiceField(choices=CoverageStatus.choices)
    before_risk_kind = risk_kind_field()
    after_risk_kind = risk_kind_field()
    reason = serializers.CharField(help_text="Why it is not covered afterwards; empty if it is.")
    remaining_names = serializers.ListField(
        child=serializers.CharField(), help_text="Who would still qualify."
    )
    qualified_before = serializers.IntegerField()
    qualified_after = serializers.IntegerField()
    lasting_before = serializers.IntegerField()
    lasting_after = serializers.IntegerField()


class AgreementChangeSerializer(serializers.Serializer):
    agreement_id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    client_name = serializers.CharField()
    annual_value = serializers.DecimalField(**MONEY)
    before = serializers.ChoiceField(choices=CoverageStatus.choices)
    after = serializers.ChoiceField(choices=CoverageStatus.choices)
    before_risk_kind = risk_kind_field()
    after_risk_kind = risk_kind_field()
    requirements = RequirementChangeSerializer(many=True)


class ShareSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Agreements.")
    annual_value = serializers.DecimalField(**MONEY)


class WhatIfSerializer(serializers.Serializer):
    """The what-if page's answer: only the agreements relying on the chosen technicians are
    evaluated, as things are and without them."""

    day = serializers.DateField()
    technicians = TechnicianRefSerializer(many=True)
    warning_days = serializers.IntegerField(source="result.scenario.warning_days")
    relying_count = serializers.IntegerField(
        help_text="Agreements with a requirement one of the technicians meets."
    )
    arr_affected = serializers.DecimalField(source="result.arr_affected", **MONEY)
    arr_newly_uncovered = serializers.DecimalField(source="result.arr_newly_uncovered", **MONEY)
    arr_newly_at_risk = serializers.DecimalField(source="result.arr_newly_at_risk", **MONEY)
    newly_uncovered = ShareSerializer(
        source="result.newly_uncovered", help_text="The agreements that would become uncovered."
    )
    newly_thin = ShareSerializer(
        source="result.newly_thin",
        help_text="The agreements that would become at risk with too few qualified today.",
    )
    newly_lapsing = ShareSerializer(
        source="result.newly_lapsing",
        help_text="The agreements that would become at risk with enough qualified today but "
        "coverage lapsing inside the warning window.",
    )
    arr_uncovered_before = serializers.DecimalField(
        source="result.baseline.arr_uncovered",
        help_text="ARR uncovered today among the agreements relying on them.",
        **MONEY,
    )
    arr_uncovered_after = serializers.DecimalField(source="result.scenario.arr_uncovered", **MONEY)
    arr_at_risk_before = serializers.DecimalField(source="result.baseline.arr_at_risk", **MONEY)
    arr_at_risk_after = serializers.DecimalField(source="result.scenario.arr_at_risk", **MONEY)
    changes_count = serializers.IntegerField()
    changes = AgreementChangeSerializer(
        many=True, help_text="Agreements that would get worse: worst first, then by value."
    )
    thinner_count = serializers.IntegerField()
    thinner = AgreementChangeSerializer(
        many=True, help_text="Agreements that keep their status with fewer qualified people."
    )


class WhatIfViewSet(viewsets.GenericViewSet):
    """What if these technicians left? Nothing is saved. Whoever may see the what-if page may
    ask (viewers too): it reads only."""

    permission_model = Agreement
    permission_actions = {"create": "view"}
    serializer_class = WhatIfInputSerializer

    @extend_schema(
        summary="What if these technicians left?",
        request=WhatIfInputSerializer,
        responses={200: WhatIfSerializer},
    )
    def create(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        asked = given.validated_data
        result = what_if_technicians_leave(
            technician_ids=[technician["id"] for technician in asked["technicians"]],
            day=asked["day"],
        )
        rows = slice(asked["offset"], asked["offset"] + asked["limit"])
        answer = {
            "day": result.day,
            "technicians": asked["technicians"],
            "result": result,
            "relying_count": len(result.baseline.agreements),
            "changes_count": len(result.changes),
            "changes": result.changes[rows],
            "thinner_count": len(result.thinner),
            "thinner": result.thinner[rows],
        }
        return Response(WhatIfSerializer(answer).data)
