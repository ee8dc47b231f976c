"""Record cases for the personnel record types (see cases.py)."""
