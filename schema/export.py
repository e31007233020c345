"""Prints the public schema: `python -m schema.export > schema.graphql`."""

from schema import build_schema
from settings import Settings


def sdl() -> str:
    return build_schema(Settings()).as_str() + "\n"


if __name__ == "__main__":
    print(sdl(), end="")
