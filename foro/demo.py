"""The demo data set (filled in by the seed-demo work)."""


def seed_demo() -> str:
    raise NotImplementedError
