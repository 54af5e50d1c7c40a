"""Versioned documents (CM-4 assessments, CM-5 care plans): per-person records kept as
numbered versions that are never changed. :mod:`.models` holds the columns every kind
shares, :mod:`.service` reading, adding with optimistic locking, ETags and comparing two
versions."""

from ltc.care.documents.models import DocumentVersion as DocumentVersion
from ltc.care.documents.service import Documents as Documents
from ltc.care.documents.service import StaleVersion as StaleVersion
