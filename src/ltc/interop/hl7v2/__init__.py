"""HL7 v2 at the edge (CM-8, CM-9, STRAT-2): ``parser`` reads an ADT message into an event
and builds its acknowledgement, ``mllp`` frames messages and serves them over TCP to a
handler it is given, ``listener`` is that handler for ``ltc listen`` (one transaction per
message), ``adt`` writes test messages and sends them."""
