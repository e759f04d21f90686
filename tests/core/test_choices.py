from django.template.loader import render_to_string

from core.choices import ChoiceSet


class Weather(ChoiceSet):
    SUNNY = "sunny", "Sunny", "warning"
    CLOUDY = "cloudy", "Cloudy", "secondary"


class Tide(ChoiceSet):
    HIGH = "high", "High tide", "primary", 2
    LOW = "low", "Low tide", "light", 0

    def __init__(self, value, color, metres):
        super().__init__(value, color)
        self.metres = metres


def test_a_member_carries_its_value_label_and_colour():
    assert (Weather.SUNNY.value, Weather.SUNNY.label, Weather.SUNNY.color) == (
        "sunny",
        "Sunny",
        "warning",
    )


def test_choices_list_values_and_labels_only():
    assert Weather.choices == [("sunny", "Sunny"), ("cloudy", "Cloudy")]


def test_a_value_finds_its_member():
    assert Weather("cloudy") is Weather.CLOUDY
    assert Weather.CLOUDY == "cloudy"


def test_what_a_class_declares_after_the_colour_comes_through_its_init():
    assert (Tide("high").label, Tide("high").color, Tide("high").metres) == (
        "High tide",
        "primary",
        2,
    )


def badge(**context):
    return render_to_string("core/_badge.html", context).strip()


def test_badge_shows_the_label_in_its_colour_with_a_title():
    assert badge(label="Thin", color="warning", title="Fewer than needed") == (
        '<span class="badge text-bg-warning" title="Fewer than needed">Thin</span>'
    )


def test_a_light_badge_gets_a_border_and_extra_classes():
    assert badge(label="Planned", color="light", classes="align-self-start") == (
        '<span class="badge text-bg-light border align-self-start">Planned</span>'
    )


def test_in_the_email_a_badge_is_words_in_its_email_colour():
    assert badge(label="Uncovered", color="danger", email_color="#b42318", for_email=True) == (
        '<strong style="color:#b42318;">Uncovered</strong>'
    )


def test_without_a_colour_the_label_is_muted_words():
    assert badge(label="not active") == '<span class="small text-body-secondary">not active</span>'
    assert badge(label="none", for_email=True) == '<span style="color:#667085;">none</span>'
