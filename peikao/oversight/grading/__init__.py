"""Graded supervision (issue 17): explained A–D risk grades of training institutions, exam points and enterprises
from versioned indicator sets, that drive the random draw; the exit mechanism; self-discipline commitments."""
