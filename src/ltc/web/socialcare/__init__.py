"""Social care on the person page and in the API's person summary (POP-2 linked records,
CM-5 person summary), for those who may see it (``ltc.care.socialcare.readers``)."""
