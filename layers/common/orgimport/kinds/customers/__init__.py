"""The customers kind: organizations under a reseller, a distributor or the owner."""
