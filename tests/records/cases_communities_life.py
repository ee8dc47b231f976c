"""Record cases for the communities_life record types (see cases.py)."""
