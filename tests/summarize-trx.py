"""Reads the TRX files of a test run once. Prints each failed test (name, outcome, the first lines of its message) and
then one plain line "N passed, N failed, N skipped" summing every test project, so the tail of a CI log says what
failed. Exits 1 when a test failed, or when no test ran at all."""
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}

passed = failed = skipped = 0
for path in sys.argv[1:]:
    root = ET.parse(path).getroot()
    counters = root.find(".//t:ResultSummary/t:Counters", NS)
    count = lambda name: int(counters.get(name, "0")) if counters is not None else 0
    passed += count("passed")
    failed += count("failed") + count("error") + count("timeout") + count("aborted")
    skipped += count("notExecuted")
    for result in root.iterfind(".//t:UnitTestResult", NS):
        if result.get("outcome") in ("Passed", "NotExecuted"):
            continue
        print(f"\nFAILED {result.get('testName')} ({result.get('outcome')}, {result.get('duration')})")
        message = result.find(".//t:ErrorInfo/t:Message", NS)
        for line in ((message.text or "") if message is not None else "").splitlines()[:12]:
            print(f"  {line[:300]}")

print(f"\n{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or not passed or not sys.argv[1:] else 0)
