"""Lets the page frame find a web package's templates as ``<package>/<name>``, as
``ltc.web.pages.TEMPLATE_PACKAGES`` does for the packages it lists (SC-3, DM-6: the
medicines and achievement pages; infrastructure of the two)."""

from __future__ import annotations

from typing import cast

import jinja2

from ltc.web.pages import TEMPLATES


def find_templates_of(package: str) -> None:
    """Serve ``ltc/web/<package>/templates/<name>`` as ``<package>/<name>``."""
    choice = cast(jinja2.ChoiceLoader, TEMPLATES.loader)
    prefixed = cast(jinja2.PrefixLoader, choice.loaders[0])
    mapping = cast(dict[str, jinja2.BaseLoader], prefixed.mapping)  # built from a dict
    if package not in mapping:
        mapping[package] = jinja2.PackageLoader(f"ltc.web.{package}", "templates")
