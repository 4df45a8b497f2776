"""The write path of graded supervision: grades, exit proposals, commitments."""
