"""`amz-guard doctor`: check each configured part and say what to fix.

`checks` holds one function per part, each returning `CheckResult`s; `runner` runs them (the
network ones at once, each with a short timeout) in a fixed order; `report` renders the
results as text or JSON without any I/O of its own.
"""
