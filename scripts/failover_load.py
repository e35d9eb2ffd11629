#!/usr/bin/env python3
"""Settlement load through the load balancer for scripts/failover-test.sh.

Each client posts settlements (POST /api/v1/settlements with an institution token), one at a
time, each with its own request id; a failed attempt (connection error, 5xx, timeout) is retried
with the *same* request id until it is acknowledged or the run ends, as a hospital system does.
Writes one JSON line per acknowledged settlement (request id as sent and as echoed, times) and a
summary with the longest time in which no settlement was acknowledged.

Standard library only, so CI needs nothing but python3.
"""

import argparse
import json
import threading
import time
import urllib.error
import urllib.request


def bill(request_id, id_number):
    return {
        "request_id": request_id,
        "id_number": id_number,
        "bill": {
            "date": time.strftime("%Y-%m-%d"),
            "visit": "general_outpatient",
            "hospital_level": "level_2",
            "lines": [{"line_no": 1, "code": "S001", "amount": 1200, "category": "a"}],
        },
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True, help="base address, e.g. http://127.0.0.1:8400")
    ap.add_argument("--token", required=True)
    ap.add_argument("--persons", required=True, help="comma-separated ID numbers")
    ap.add_argument("--clients", type=int, default=6)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--prefix", default="F")
    ap.add_argument("--acks", required=True, help="file for the acknowledged settlements")
    ap.add_argument("--started", help="file touched once the load runs")
    args = ap.parse_args()

    persons = args.persons.split(",")
    start = time.monotonic()
    end = start + args.seconds
    acks_lock = threading.Lock()
    acks = []
    attempts = [0]
    failures = [0]
    refused = [0]

    def client(c):
        seq = 0
        while time.monotonic() < end:
            seq += 1
            rid = f"{args.prefix}{c}-{seq}"
            body = json.dumps(bill(rid, persons[(c + seq) % len(persons)])).encode()
            first = time.monotonic()
            while time.monotonic() < end + 30:
                req = urllib.request.Request(
                    f"{args.url}/api/v1/settlements",
                    data=body,
                    method="POST",
                    headers={
                        "content-type": "application/json",
                        "authorization": f"Bearer {args.token}",
                    },
                )
                with acks_lock:
                    attempts[0] += 1
                try:
                    with urllib.request.urlopen(req, timeout=15) as r:
                        answer = json.load(r)
                    now = time.monotonic()
                    with acks_lock:
                        acks.append(
                            {
                                "request_id": rid,
                                "echo": answer.get("request_id"),
                                "sent_s": round(first - start, 3),
                                "acked_s": round(now - start, 3),
                            }
                        )
                    break
                except urllib.error.HTTPError as e:
                    with acks_lock:
                        failures[0] += 1
                    if 400 <= e.code < 500 and e.code not in (408, 429):
                        # Refused for good (a rule); not a settlement, not retried.
                        detail = e.read()[:300]
                        with acks_lock:
                            refused[0] += 1
                        print(f"refused {rid}: {e.code} {detail!r}", flush=True)
                        break
                except Exception:
                    with acks_lock:
                        failures[0] += 1
                time.sleep(0.2)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(args.clients)]
    for t in threads:
        t.start()
    if args.started:
        open(args.started, "w").close()
    for t in threads:
        t.join()

    acks.sort(key=lambda a: a["acked_s"])
    with open(args.acks, "w") as f:
        for a in acks:
            f.write(json.dumps(a) + "\n")
    times = [0.0] + [a["acked_s"] for a in acks] + [min(args.seconds, time.monotonic() - start)]
    gap, at = 0.0, 0.0
    for a, b in zip(times, times[1:]):
        if b - a > gap:
            gap, at = b - a, a
    print(
        json.dumps(
            {
                "acknowledged": len(acks),
                "attempts": attempts[0],
                "failed_attempts": failures[0],
                "refused": refused[0],
                "longest_gap_s": round(gap, 2),
                "longest_gap_from_s": round(at, 2),
                "seconds": round(time.monotonic() - start, 1),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
