#!/usr/bin/python3
"""libtorrent's full check of data on disk: adds the torrent without resume data (so libtorrent
hashes every piece, as force_recheck does), waits for the check and exits. For the benchmark
(the whole process is timed) and the interop tests (is a torrent btui made valid for libtorrent?).

    /usr/bin/python3 lt-check.py TORRENT SAVE_PATH

Prints one JSON line: {"seconds": check time, "found": pieces verified, "total": pieces,
"progress": 0..1, "error": "" or libtorrent's message}. Exit status: 0 every piece verified,
2 checked but some missing, 1 an error or no answer within 300 s.
Nothing to connect to: DHT/LSD/UPnP/NAT-PMP off, listening on loopback only.
"""
import json
import sys
import time

import libtorrent as lt

torrent, save_path = sys.argv[1], sys.argv[2]
session = lt.session({
    "listen_interfaces": "127.0.0.1:0",
    "enable_dht": False,
    "enable_lsd": False,
    "enable_upnp": False,
    "enable_natpmp": False,
    "alert_mask": lt.alert.category_t.status_notification | lt.alert.category_t.error_notification,
})
info = lt.torrent_info(torrent)
params = lt.add_torrent_params()
params.ti = info
params.save_path = save_path
params.flags &= ~lt.torrent_flags.auto_managed
params.flags &= ~lt.torrent_flags.paused
started = time.monotonic()
handle = session.add_torrent(params)


def report(error=""):
    s = handle.status()
    print(json.dumps({
        "seconds": time.monotonic() - started,
        "found": s.num_pieces,
        "total": info.num_pieces(),
        "progress": s.progress,
        "error": error,
    }))
    return s.num_pieces == info.num_pieces()


deadline = started + 300
while time.monotonic() < deadline:
    session.wait_for_alert(100)
    for a in session.pop_alerts():
        if isinstance(a, lt.torrent_checked_alert):
            sys.exit(0 if report() else 2)
        if isinstance(a, (lt.torrent_error_alert, lt.file_error_alert)):
            report(a.message())
            sys.exit(1)
sys.exit(1)
