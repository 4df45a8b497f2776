"""The public verification service's settings plus one bare view, the baseline of bench/verify_load.py."""

from peikao.settings_public import *  # noqa: F403

ROOT_URLCONF = "bench.public_urls"
