"""Local format overrides (``settings.FORMAT_MODULE_PATH``): what Django's own locale data gets wrong for our users."""
