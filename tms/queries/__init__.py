"""The read side: one module per page or report, returning plain data.

Queries take a SQLAlchemy ``Session`` and never write; the web and CLI layers call them
instead of building SELECTs themselves, so neither imports SQLAlchemy.
"""
