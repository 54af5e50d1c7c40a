"""LTC: the NHS and Social Care Long Term Conditions Model, end to end."""

__version__ = "0.1.0"
