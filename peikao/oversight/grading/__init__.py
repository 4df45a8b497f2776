"""Graded supervision (issue 17): explained A–D risk grades of training institutions, exam points and enterprises
from versioned indicator sets, that drive the random draw; the exit mechanism; self-discipline commitments.

Who is graded. Every open training institution and exam point. Enterprises: those of the high-risk industries
first (issue 17: "high-risk industries first"), the industries ``registry.Industry.high_risk`` marks in
domain/industries.yaml — 煤矿、非煤矿山、危险化学品、烟花爆竹、金属冶炼、石油天然气开采 — which the emergency-management
regulator supervises as its key enterprises. The indicator set in force says it (``IndicatorSet.enterprises``:
``high_risk``, the platform default, or ``all``); a province that widens grading to every enterprise publishes
its own version with ``enterprises: all`` from the day it does, so that the grades say by which rule they were
made. An enterprise once graded stays graded while it is open — if its industry changes or a later version narrows
the scope, its grade is kept up to date rather than left stale (the draw still reads it) or dropped without a
notice. The grades page counts the high-risk industries' enterprises on a row of their own, filters them, and
lists them first among enterprises.

Indicators (indicators.py, one aggregate query each over all the subjects of a kind): findings, serious decisions,
fines, overdue rectifications, spot-exam failure rate, confirmed alerts, compliance gaps per 100 workers, the
practical-exam device, pass rate above the province's peers, commitments kept or breached, and the inspection
priorities raised from the injury analysis (issue 18: a training institution or enterprise where injuries
concentrate). Each has points, a cap and a plain Chinese description in domain/oversight_grading.yaml; the grade
page lists the records behind every point.

Recomputation (services/grades.py) is set-based and writes in bulk: PostgreSQL COPY for the new grades, their
events and the change log, one UPDATE from a copied table for the changed grades
(``core.bulk.update_rows``)."""
