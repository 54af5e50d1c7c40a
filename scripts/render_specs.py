"""Write ``docs/specs.md``: the spec tables of the tests, rendered by ``tests/spec_docs.py``.

Run ``uv run python scripts/render_specs.py`` after changing a spec table;
``tests/test_spec_docs.py`` fails until the document matches the tests again.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from spec_docs import DOC, render


def main() -> None:
    text = render()
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC} ({len(text.splitlines())} lines)")


if __name__ == "__main__":
    main()
