"""Pages of register, recall, review (DM-2): the practice's recall list, invitations and
the outbox, a person's recall page with the reviews recorded, the printed letter, and the
person page's panel."""
