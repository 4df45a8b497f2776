"""What the tests of every app (and bench/, and the demo) build their data with: factories, worlds, helpers.

Above every app in the layer contract; nothing in production imports it except the demo (answers.py, which needs no
factory_boy)."""
