"""Population analytics and commissioning figures; so far the small-number suppression every
published figure goes through (COM-7)."""
