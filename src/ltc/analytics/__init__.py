"""Population analytics and commissioning figures (POP-4, COM-1 to COM-7)."""
