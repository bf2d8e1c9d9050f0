"""The pipeline benchmark's parts: one run in one mode, what it counts, and how it is reported."""
