"""The resellers kind: organizations under a distributor (or the owner)."""
