"""The default condition protocols, one TOML file per condition (DM-1); read by
:func:`ltc.protocols.load`."""
