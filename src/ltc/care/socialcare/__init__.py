"""Social care on the person page (POP-2 linked records, CM-5 person summary): a person's
packages of care and latest social care assessment, review and contact, as the record
store held them when the current run was loaded (``ltc.care.people.activity``), and who
may see them (:mod:`ltc.care.socialcare.readers`). See docs/social-care.md."""
