"""Reading DynamoDB's answer to a conditional write."""

_CONDITION_FAILED = "ConditionalCheckFailedException"


def condition_failed(exc: Exception) -> bool:
    """True when a pynamodb write failed because its condition did not hold."""
    return getattr(exc, "cause_response_code", None) == _CONDITION_FAILED
