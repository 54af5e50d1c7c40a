"""Population analytics and commissioning figures (COM-1, COM-2, COM-4, COM-5, COM-7):
emergency bed days against a baseline (``beddays``), their concentration
(``concentration``), age-standardised rates and the slope index of inequality
(``standardise``, ``inequalities``), the evaluation of case management against a matched
comparison group (``evaluation``), the bands every figure is cut by (``bands``) and the
small-number suppression every published figure goes through (``suppression``).
``docs/analytics.md`` defines each figure."""
