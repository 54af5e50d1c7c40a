"""Integrated care co-ordination (VW-2, POP-5): referrals to a locality's co-ordinators,
contact attempts and the co-ordinator's worklist."""
