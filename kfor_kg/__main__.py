"""`python -m kfor_kg`: the same as the `kfor-kg` command."""

from kfor_kg.cli import main

if __name__ == "__main__":
    main()
