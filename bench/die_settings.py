"""Settings for the django-import-export comparison: Peikao's, plus the import_export app."""

from peikao.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "import_export"]  # noqa: F405
