"""The wider team's pages (CM-5): allocations on the person page, the care plan's
assigned actions and their status, and "My actions"."""
