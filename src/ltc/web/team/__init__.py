"""The wider team's pages (VW-3): allocations on the person page, the care plan's
assigned actions and their status, and "My actions"."""
