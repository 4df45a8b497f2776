"""Peikao (培考): supervision platform for work-safety training and examinations."""
