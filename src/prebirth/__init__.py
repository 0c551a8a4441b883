"""Pre-birth Data Book: babies and infants in care proceedings, for one local authority."""

__version__ = "0.1.0"
