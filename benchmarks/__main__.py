"""Run the benchmarks: ``python -m benchmarks [generator] [validation903] [validation_cin] [indicators] [web] [linkage]`` (default: all)."""

import sys

SUITES = ("generator", "validation903", "validation_cin", "indicators", "web", "linkage")


def main() -> None:
    chosen = [a for a in sys.argv[1:] if not a.isdigit()] or list(SUITES)  # a number is a size
    for name in chosen:
        if name not in SUITES:
            raise SystemExit(f"unknown suite {name!r}; choose from {', '.join(SUITES)}")
        module = __import__(f"benchmarks.{name}", fromlist=["main"])
        print(f"== {name}", flush=True)
        module.main()


if __name__ == "__main__":
    main()
