"""The API fuzz driver (`make fuzz`): see run.py."""
