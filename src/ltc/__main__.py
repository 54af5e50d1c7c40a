"""``python -m ltc``: the same as the ``ltc`` command."""

from ltc.cli import main

main()
