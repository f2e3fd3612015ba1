"""PASS:/FAIL: lines for the host Python tests (tests/unit/test_*.py) and their summary."""
import sys

results = {"passed": 0, "failed": 0}


def check(name, cond, why=""):
    if cond:
        print(f"PASS: {name}")
        results["passed"] += 1
    else:
        print(f"FAIL: {name}: {why}")
        results["failed"] += 1


def finish(suite):
    """Prints "SUITE: N passed, M failed" and exits 1 if anything failed."""
    print(f"{suite}: {results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)
