"""Run the benchmarks: ``python -m benchmarks [generator] [validation903] [indicators] [web]`` (default: all)."""

import sys

SUITES = ("generator", "validation903", "indicators", "web")


def main() -> None:
    chosen = sys.argv[1:] or list(SUITES)
    for name in chosen:
        if name not in SUITES:
            raise SystemExit(f"unknown suite {name!r}; choose from {', '.join(SUITES)}")
        module = __import__(f"benchmarks.{name}", fromlist=["main"])
        print(f"== {name}", flush=True)
        module.main()


if __name__ == "__main__":
    main()
