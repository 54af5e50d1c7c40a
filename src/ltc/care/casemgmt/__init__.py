"""Case managers, their caseloads, candidates, allocation, approach and consent
(CM-1, CM-2, CM-3, CM-12 discharge, STRAT-7)."""
