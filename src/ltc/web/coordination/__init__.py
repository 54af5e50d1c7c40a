"""Integrated care co-ordination in the web app (VW-2, POP-5): the co-ordinator's
worklist, referrals to a co-ordinator and contact attempts, and their person-page panel."""
