from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from agreements.planning.services import competitor_create, competitor_offering_create
from agreements.services import service_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def email_service(exchange):
    return service_create(name="Managed email", skills=[exchange], min_level=4)


def test_competitor_offering_is_ours_or_named(email_service):
    competitor = competitor_create(name="Bay Area IT", website="https://bayarea.example")
    ours = competitor_offering_create(
        competitor=competitor, service=email_service, price=Decimal("99.00")
    )
    theirs = competitor_offering_create(competitor=competitor, name="VoIP phones")

    assert [ours.offering_name, theirs.offering_name] == ["Managed email", "VoIP phones"]
    with pytest.raises(ValidationError) as error:
        competitor_offering_create(competitor=competitor)
    assert error.value.message_dict == {
        "name": ["Pick one of our services or type the offering's name."]
    }
