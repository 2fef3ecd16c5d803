"""Services: the verbs of tms (import, translate, review, export...).

Each function takes a SQLAlchemy Session first, imports no Flask, flushes but never
commits: the view or CLI command that calls it commits once per operation.
"""
