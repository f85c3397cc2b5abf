"""Who may import and manage distributors: the platform owner, over every record."""

from orgimport.core.policy import owner_only

DISTRIBUTORS_POLICY = owner_only("distributors")
