"""Users, roles, sign-in and break-glass access (privacy), and what an administrator
does: user accounts and case managers' profiles (CM-1, :mod:`.admin`)."""
