#!/usr/bin/env python3
"""Validate the hand-curated held-out looks (assets/demo-catalog/curated-looks.json).

Checks every look against the demo catalog: SKUs exist, 3-5 items, a complete
outfit with shoes, at most one item per category (bags/accessories excepted),
gender and season coherence, at most one patterned piece, and product reuse.
Prints distributions. Exits non-zero if any problem is found.

Usage: scripts/check-curated-looks.py [looks.json] [catalog.csv]
Standard library only.
"""
import collections
import csv
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOOKS = os.path.join(ROOT, "assets", "demo-catalog", "curated-looks.json")
CATALOG = os.path.join(ROOT, "assets", "demo-catalog", "catalog.csv")

MIN_LOOKS = 80
MIN_ITEMS, MAX_ITEMS = 3, 5
MAX_REUSE = 4  # max looks a single product may appear in
SEASONS = {"spring", "summer", "autumn", "winter"}
GENDERS = {"women", "men", "unisex"}
MULTI_OK = {"bag", "accessory"}  # categories that may appear more than once
UPPER = {"top", "knitwear"}
LOWER = {"bottom", "skirt"}
ONE_PIECE = {"dress", "jumpsuit", "suit"}


def main():
    looks_path = sys.argv[1] if len(sys.argv) > 1 else LOOKS
    catalog_path = sys.argv[2] if len(sys.argv) > 2 else CATALOG
    with open(catalog_path, encoding="utf-8", newline="") as f:
        variants = {r["variant_sku"]: r for r in csv.DictReader(f)}
    occasions = {o for r in variants.values() for o in r["occasion_tags"].split("|")}
    with open(looks_path, encoding="utf-8") as f:
        data = json.load(f)

    problems = []

    def bad(look_id, msg):
        problems.append(f"{look_id}: {msg}")

    if not str(data.get("about", "")).strip():
        bad("file", "missing 'about'")
    looks = data.get("looks", [])
    if len(looks) < MIN_LOOKS:
        bad("file", f"only {len(looks)} looks (< {MIN_LOOKS})")

    ids = set()
    by_occ, by_gender, by_season, by_cat = (collections.Counter() for _ in range(4))
    reuse = collections.Counter()
    tagged = garments = 0
    for look in looks:
        lid = look.get("id", "?")
        if lid in ids:
            bad(lid, "duplicate id")
        ids.add(lid)
        occ, season, gender = look.get("occasion"), look.get("season"), look.get("gender")
        if occ not in occasions:
            bad(lid, f"unknown occasion {occ!r}")
        if season not in SEASONS:
            bad(lid, f"unknown season {season!r}")
        if gender not in GENDERS:
            bad(lid, f"unknown gender {gender!r}")
        for key in ("note_en", "note_zh"):
            if not str(look.get(key, "")).strip():
                bad(lid, f"missing {key}")
        by_occ[occ] += 1
        by_gender[gender] += 1
        by_season[season] += 1

        items = look.get("items", [])
        if not MIN_ITEMS <= len(items) <= MAX_ITEMS:
            bad(lid, f"{len(items)} items (want {MIN_ITEMS}-{MAX_ITEMS})")
        rows = []
        for sku in items:
            row = variants.get(sku)
            if row is None:
                bad(lid, f"unknown variant SKU {sku}")
            else:
                rows.append(row)
        products = [r["sku"] for r in rows]
        if len(set(products)) != len(products):
            bad(lid, "same product twice")
        reuse.update(set(products))

        cats = collections.Counter(r["category"] for r in rows)
        by_cat.update(cats)
        for cat, n in cats.items():
            if n > 1 and cat not in MULTI_OK:
                bad(lid, f"{n} items of category {cat}")
        if rows and not cats["shoes"]:
            bad(lid, "no shoes")
        has_body = bool(ONE_PIECE & cats.keys()) or (UPPER & cats.keys() and LOWER & cats.keys())
        if rows and not has_body:
            bad(lid, "not a complete outfit (needs dress/jumpsuit/suit or top+bottom)")

        patterned = 0
        for r in rows:
            if gender == "unisex" and r["gender"] != "unisex":
                bad(lid, f"{r['variant_sku']} is {r['gender']} in a unisex look")
            elif r["gender"] not in (gender, "unisex"):
                bad(lid, f"{r['variant_sku']} is {r['gender']} in a {gender} look")
            seasons = r["seasons"].split("|")
            if "all" not in seasons and season not in seasons:
                bad(lid, f"{r['variant_sku']} ({r['seasons']}) not worn in {season}")
            if r["pattern"] != "solid":
                patterned += 1
            if r["category"] not in ("shoes", "bag", "accessory"):
                garments += 1
                tagged += occ in r["occasion_tags"].split("|")
        if patterned > 1:
            bad(lid, f"{patterned} patterned pieces (max 1)")

    top_reuse = reuse.most_common(1)[0][1] if reuse else 0
    for sku, n in reuse.items():
        if n > MAX_REUSE:
            bad("file", f"product {sku} used in {n} looks (> {MAX_REUSE})")

    def show(title, counter):
        print(f"{title}: " + ", ".join(f"{k}={v}" for k, v in sorted(counter.items())))

    print(f"looks: {len(looks)}")
    show("occasion", by_occ)
    show("gender", by_gender)
    show("season", by_season)
    show("category (items)", by_cat)
    print(f"distinct products: {len(reuse)}; max reuse: {top_reuse} "
          f"({', '.join(sorted(s for s, n in reuse.items() if n == top_reuse))})")
    if garments:
        print(f"garments tagged with the look's occasion: {tagged}/{garments}")
    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
