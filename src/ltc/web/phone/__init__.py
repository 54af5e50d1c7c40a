"""Pages of telephone care management (DM-7): each clinician's calls due and the
practice's level-2 people with no call scheduled, a person's calls, scheduling one, the
scripted check with its decision support, and the person page's panel."""
