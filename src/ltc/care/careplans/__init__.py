"""Personalised care plans: one per person, every version kept (CM-5)."""
