from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Dev tooling without models: the demo MSP (seed_demo) and the benchmark portfolios.

    Installed by the local and test settings only; production does not load it.
    """

    name = "demo"
    verbose_name = "Demo data and benchmarks"
