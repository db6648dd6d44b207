"""The actors of the role matrix (tests/test_role_matrix.py) and the groups its tables name, shared by
the capability modules tests/matrix_*.py."""

ACTORS = [
    "anonymous",
    "citizen",
    "moderator",
    "moderator_of_space",
    "official_of_organism",
    "official_of_other",
    "admin",
    "deleted",
]
EVERYONE = set(ACTORS)
LOGGED_IN = EVERYONE - {"anonymous", "deleted"}
STAFF = {"official_of_organism", "admin"}
RUNNERS = STAFF | {"moderator_of_space"}
ADMINS = {"admin"}
