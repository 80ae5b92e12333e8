"""Compares an undisturbed and a disturbed replay (scripts/chaos.sh, scripts/chaos-infra.sh): same
counts and totals, reconciled, enough disturbances. Prints the figures; exits 1 on any difference.
  chaos-compare.py BASE.json DISTURBED.json EVENTS.txt MIN NAME...
EVENTS.txt has one line per disturbance, "TIME NAME ..."; every NAME must occur at least once.
CHAOS_WHAT names the disturbances in the output (default "kills")."""
import json
import os
import sys
from collections import Counter

base_path, kill_path, kills_path, min_kills, *services = sys.argv[1:]
what = os.environ.get("CHAOS_WHAT", "kills")
base = json.load(open(base_path))["result"]
try:
    disturbed = json.load(open(kill_path))["result"]
except FileNotFoundError:
    print(f"the disturbed run wrote no result ({kill_path})")
    sys.exit(1)
kills = Counter(line.split()[1] for line in open(kills_path) if line.strip())

failures = []
def compare(name, left, right):
    mark = "ok" if left == right else "DIFFERS"
    print(f"  [{mark}] {name}: undisturbed {left}, disturbed {right}")
    if left != right:
        failures.append(name)

print(f"Undisturbed vs disturbed run ({what})")
for b, d in zip(base["reconciliation"]["checks"], disturbed["reconciliation"]["checks"]):
    compare(b["name"], (b["left"], b["right"]), (d["left"], d["right"]))
    if d["left"] != d["right"]:
        failures.append("disturbed run does not reconcile: " + d["name"])
compare("GRU principal per state", base["reconciliation"]["principalByState"], disturbed["reconciliation"]["principalByState"])
for b, d in zip(base["stages"], disturbed["stages"]):
    compare("items of stage " + b["name"], b["items"], d["items"])
last_base, last_disturbed = base["samples"][-1]["counts"], disturbed["samples"][-1]["counts"]
for key in ("received", "notified", "released", "grusIssued", "grusVisible", "deadLettered"):
    compare("final count " + key, last_base[key], last_disturbed[key])

lost = max(0, last_base["notified"] - last_disturbed["notified"]) + max(0, last_base["grusVisible"] - last_disturbed["grusVisible"])
duplicates = max(0, last_disturbed["grusIssued"] - last_base["grusIssued"]) + max(
    0, next(s["items"] for s in disturbed["stages"] if s["name"].startswith("pagamentos"))
    - next(s["items"] for s in base["stages"] if s["name"].startswith("pagamentos")))
total_kills = sum(kills.values())
print(f"{what} survived: {total_kills} ({', '.join(f'{s} {kills[s]}' for s in services)})")
print(f"events lost: {lost}")
print(f"duplicates: {duplicates}")
if total_kills < int(min_kills):
    failures.append(f"only {total_kills} {what} (at least {min_kills} wanted)")
missing = [s for s in services if kills[s] == 0]
if missing:
    failures.append(f"never disturbed ({what}): " + ", ".join(missing))
if failures:
    print("FAILED: " + "; ".join(failures))
    sys.exit(1)
print(f"identical results under {what}")
