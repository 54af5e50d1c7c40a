"""Typed clinical codes and code lists."""
