#!/usr/bin/python3
"""Checks metakv's Prometheus text (StatsToPrometheus) against the JSON of
the same Stats (StatsToJson), with the Prometheus client library's own
parser (Debian: python3-prometheus-client), not with patterns.

  check_prometheus.py METRICS_FILE STATS_JSON_FILE

Exit 0 when every family parses and every sample equals its Stats field;
1 with one line per mismatch otherwise.
"""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families

# Per-domain families and the DomainStats field each one carries.
PER_DOMAIN = {
    "metakv_user_written_bytes": "user_bytes_written",
    "metakv_flush_written_bytes": "flush_bytes_written",
    "metakv_compaction_written_bytes": "compaction_bytes_written",
    "metakv_compaction_read_bytes": "compaction_bytes_read",
    "metakv_ingest_written_bytes": "ingest_bytes_written",
    "metakv_puts": "puts",
    "metakv_deletes": "deletes",
    "metakv_undeletes": "undeletes",
    "metakv_hard_deletes": "hard_deletes",
    "metakv_ingested_records": "ingested_records",
    "metakv_flushes": "flushes",
    "metakv_compactions": "compactions",
    "metakv_purged_records": "purged_records",
    "metakv_purged_bytes": "purged_bytes",
    "metakv_deadline_compactions": "deadline_compactions",
    "metakv_purge_dropped_files": "purge_dropped_files",
    "metakv_write_amplification": "write_amplification",
    "metakv_live_sst_bytes": "live_sst_bytes",
    "metakv_memtable_bytes": "memtable_bytes",
    "metakv_write_buffer_bytes": "write_buffer_bytes",
    "metakv_level0_compaction_trigger": "level0_compaction_trigger",
    "metakv_pending_compaction_bytes": "pending_compaction_bytes",
    "metakv_pending_tree_removals": "pending_tree_removals",
    "metakv_pending_purges": "pending_purges",
}
REASONS = {
    "write_buffer_grow": "write_buffer_grows",
    "write_buffer_shrink": "write_buffer_shrinks",
    "level0_trigger_raise": "level0_trigger_raises",
    "level0_trigger_lower": "level0_trigger_lowers",
}


def main():
    metrics_text = open(sys.argv[1], encoding="utf-8").read()
    stats = json.load(open(sys.argv[2], encoding="utf-8"))
    errors = []

    def expect(what, got, want):
        if not math.isclose(float(got), float(want), rel_tol=1e-6, abs_tol=1e-9):
            errors.append(f"{what}: {got} in the metrics, {want} in Stats")

    families = {f.name: f for f in text_string_to_metric_families(metrics_text)}
    domains = {d["name"]: d for d in stats["domains"]}
    for family, field in PER_DOMAIN.items():
        f = families.get(family)
        if f is None:
            errors.append(f"family {family} missing")
            continue
        seen = set()
        for s in f.samples:
            d = s.labels["domain"]
            seen.add(d)
            expect(f"{s.name}{{domain={d}}}", s.value, domains[d][field])
        if seen != set(domains):
            errors.append(f"{family}: domains {sorted(seen)}, want {sorted(domains)}")
    for s in families["metakv_oldest_purgeable_age_seconds"].samples:
        d = domains[s.labels["domain"]]
        oldest = d["oldest_purgeable_time"]
        want = 0 if oldest == 0 or oldest > stats["time_seconds"] else stats["time_seconds"] - oldest
        expect(f"oldest purgeable age of {d['name']}", s.value, want)
    for kind in ("files", "bytes"):
        samples = families[f"metakv_level_{kind}"].samples
        want = [(d["name"], str(l["level"]), l[kind]) for d in stats["domains"] for l in d["levels"]]
        got = [(s.labels["domain"], s.labels["level"], s.value) for s in samples]
        if [(a, b) for a, b, _ in got] != [(a, b) for a, b, _ in want]:
            errors.append(f"metakv_level_{kind}: labels {got} differ from {want}")
        for (d, l, g), (_, _, w) in zip(got, want):
            expect(f"metakv_level_{kind}{{{d},{l}}}", g, w)
    for s in families["metakv_flush_controller_changes"].samples:
        d = domains[s.labels["domain"]]
        expect(f"flush changes {s.labels}", s.value, d[REASONS[s.labels["reason"]]])
    tenants = {(d["name"], t["tenant"]): t for d in stats["domains"] for t in d["top_tenants"]}
    for family, pick in (
        ("metakv_tenant_user_written_bytes", lambda t: t["user_bytes_written"]),
        ("metakv_tenant_engine_written_bytes",
         lambda t: t["flush_bytes_written"] + t["compaction_bytes_written"] + t["ingest_bytes_written"]),
    ):
        got = {(s.labels["domain"], s.labels["tenant"]): s.value for s in families[family].samples}
        if set(got) != set(tenants):
            errors.append(f"{family}: tenants {sorted(got)}, want {sorted(tenants)}")
        for key, value in got.items():
            if key in tenants:
                expect(f"{family}{key}", value, pick(tenants[key]))
    store_wide = {
        "metakv_wal_written_bytes": stats["wal_bytes_written"],
        "metakv_write_stall_seconds": stats["stall_micros"] / 1e6,
        "metakv_block_cache_bytes": stats["block_cache_bytes"],
        "metakv_maintenance_passes": stats["maintenance_passes"],
        "metakv_maintenance_errors": stats["maintenance_errors"],
        "metakv_purge_deadline_seconds": stats["purge_deadline_seconds"],
    }
    for family, want in store_wide.items():
        expect(family, families[family].samples[0].value, want)
    latency = {l["operation"]: l for l in stats["latencies"]}
    hist = families.get("metakv_operation_latency_seconds")
    if latency and (hist is None or hist.type != "histogram"):
        errors.append("metakv_operation_latency_seconds: no histogram")
    elif latency:
        by_op = {}
        for s in hist.samples:
            by_op.setdefault(s.labels["op"], []).append(s)
        if set(by_op) != set(latency):
            errors.append(f"latency ops {sorted(by_op)}, want {sorted(latency)}")
        for op, samples in by_op.items():
            l = latency[op]
            buckets = [s for s in samples if s.name.endswith("_bucket")]
            cumulative = 0
            for s, count in zip(buckets, l["bucket_counts"]):
                cumulative += count
                expect(f"{op} bucket le={s.labels['le']}", s.value, cumulative)
            bounds = [float(s.labels["le"]) for s in buckets]
            want_bounds = [b / 1e6 for b in l["bucket_bounds_micros"]] + [math.inf]
            if bounds != want_bounds:
                errors.append(f"{op}: bucket bounds {bounds}, want {want_bounds}")
            count = [s.value for s in samples if s.name.endswith("_count")]
            total = [s.value for s in samples if s.name.endswith("_sum")]
            expect(f"{op} count", count[0], l["count"])
            expect(f"{op} sum", total[0], l["sum_nanos"] / 1e9)
    for e in errors:
        print("check_prometheus:", e)
    print(f"check_prometheus: {len(families)} families, {len(errors)} mismatches")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
