#!/usr/bin/env python3
"""Runs the Python client suites with unittest and ends with one line "N passed, N failed".

    FERRY_ENDPOINT=http://127.0.0.1:4566 python3 run_tests.py            every test_*.py here
    FERRY_ENDPOINT=... python3 run_tests.py test_sqs_boto3 [-k pattern]  one module (unittest -k filters)

Skipped tests are reported on their own line and counted neither as passed nor as failed.
"""

import argparse
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("modules", nargs="*", help="test modules (default: every test_*.py)")
    parser.add_argument("-k", dest="patterns", action="append", help="only tests matching this substring")
    args = parser.parse_args()

    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = [f"*{p}*" for p in args.patterns]
    if args.modules:
        suite = unittest.TestSuite(loader.loadTestsFromName(m.removesuffix(".py")) for m in args.modules)
    else:
        suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)

    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    # Count tests, not subtests: a test with several failing subtests is one failed test.
    def test_id(test):
        return getattr(test, "test_case", test).id()

    failed_ids = {test_id(t) for t, _ in result.failures + result.errors}
    failed_ids |= {test_id(t) for t in result.unexpectedSuccesses}
    skipped_ids = {test_id(t) for t, _ in result.skipped} - failed_ids
    failed = len(failed_ids)
    skipped = len(skipped_ids)
    passed = result.testsRun - failed - skipped - len(result.expectedFailures)
    print(f"{skipped} skipped")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
