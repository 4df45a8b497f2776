"""The demo province (福建省): a seeded, realistic data set built by ``manage.py demo``, and its logins.

It sits above every app and enters data through the same services and imports as real data, so it is validated
and change-logged like everything else. One module per app adds its part with ``@step`` (``steps.py``);
``build.py`` imports them in order.
"""
