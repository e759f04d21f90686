from core import registry


def test_pages_py_fills_every_place_on_the_agreement_and_client_pages():
    places = {
        "agreement detail": registry.agreement_detail_panels,
        "above the agreement list": registry.agreement_list_panels,
        "agreement lists": registry.agreement_columns,
        "above the agreement form": registry.agreement_form_panels,
        "client detail": registry.client_detail_panels,
        "client list": registry.client_list_columns,
    }

    assert {name: [entry.key for entry in place] for name, place in places.items()} == {
        "agreement detail": ["coverage"],
        "above the agreement list": ["coverage_notice"],
        "agreement lists": ["coverage"],
        "above the agreement form": ["presale"],
        "client detail": ["coverage_notice", "agreements", "requirements", "end_of_support"],
        "client list": ["active_agreements", "annual_value"],
    }
