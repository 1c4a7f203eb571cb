#!/usr/bin/env python3
"""Summarise checkov's JSON report (stdin) of one framework; exit 1 when a check failed."""
import json
import sys

report = json.load(sys.stdin)
report = report[0] if isinstance(report, list) else report
summary = report.get("summary", {"passed": 0, "failed": 0})
print(f"checkov {report.get('check_type', '?')}: {summary['passed']} passed, {summary['failed']} failed")
for check in report.get("results", {}).get("failed_checks", []):
    print("  failed:", check["check_id"], check["file_path"], check["check_name"])
sys.exit(1 if summary["failed"] else 0)
