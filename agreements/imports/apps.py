from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Getting data in and out: CSV and XLSX imports with a preview, and the exports that
    round-trip with them. An app without models of its own (they keep the agreements label);
    each model's columns are its app's resource (clients/resources.py …)."""

    name = "agreements.imports"
    label = "imports"
    verbose_name = "Imports"
