"""The people the care plane knows: demographics and each stratification run's results
for them, loaded from the record plane (STRAT-5, CM-2)."""
