"""Injuries against training (issue 18, the Ma'anshan analysis): work-injury cases imported from injury-insurance
systems, linked to registered persons (exact on a valid number, else Fellegi–Sunter over blocked candidates, ADR 0010),
the grey zone reviewed by a clerk, and the rates of linked cases against the roster baseline."""
