"""Oversight: detectors that read the whole province's training and exam data for signs of fake training and
fake exams, and the alerts they raise, each explained in Chinese with its evidence, reviewed by a regulator and
confirmed into an inspection finding or dismissed with a reason (issue 15)."""
