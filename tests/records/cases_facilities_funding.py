"""Record cases for the facilities_funding record types (see cases.py)."""
