"""Record types of this app: see communities/records.py and personnel/records.py."""
