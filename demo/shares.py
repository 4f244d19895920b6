"""Whole-number shares of a document's totals."""


def distribute(total, parts):
    """``total`` split into ``parts`` whole numbers that differ by at most one."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
