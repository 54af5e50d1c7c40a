"""Users, roles, sign-in and who may see whose data (CM-1, privacy)."""
