"""The one error the operator commands raise on purpose."""


class OperatorError(Exception):
    """Something the operator must fix or decide (printed without a traceback)."""
