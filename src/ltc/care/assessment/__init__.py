"""Comprehensive assessment: physical, social and psychological, versioned (CM-4)."""
