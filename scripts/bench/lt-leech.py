#!/usr/bin/python3
"""One-shot libtorrent leecher for the benchmark: downloads a torrent and exits when done.

    /usr/bin/python3 lt-leech.py TORRENT SAVE_PATH LISTEN_HOST [TIMEOUT_SECONDS] [utp]

Loopback settings as in test/helpers/lt-peer.py; peers come from the torrent's tracker.
With "utp" it speaks uTP only (TCP off); otherwise TCP only.
Exits 0 when the download is finished, 1 on error or after TIMEOUT_SECONDS (default 600).
With LT_LEECH_PROGRESS=1 it prints btui download --json's lines: {"progress": P} about ten times a
second, then {"event":"done","downloaded":BYTES,"uploaded":BYTES} (payload).
"""
import json
import os
import sys
import time

import libtorrent as lt

torrent, save_path, host = sys.argv[1], sys.argv[2], sys.argv[3]
utp = len(sys.argv) > 5 and sys.argv[5] == "utp"
session = lt.session({
    "listen_interfaces": "%s:0" % host,
    "outgoing_interfaces": host,
    "enable_dht": False,
    "enable_lsd": False,
    "enable_upnp": False,
    "enable_natpmp": False,
    "allow_multiple_connections_per_ip": True,
    # TCP like the other contenders: uTP's delay-based congestion control crawls on loopback.
    "enable_outgoing_utp": utp,
    "enable_incoming_utp": utp,
    "enable_outgoing_tcp": not utp,
    "enable_incoming_tcp": not utp,
    "ssrf_mitigation": False,
    "apply_ip_filter_to_trackers": False,
    "alert_mask": lt.alert.category_t.status_notification | lt.alert.category_t.error_notification,
})
session.set_ip_filter(lt.ip_filter())
params = lt.add_torrent_params()
params.ti = lt.torrent_info(torrent)
params.save_path = save_path
handle = session.add_torrent(params)
deadline = time.monotonic() + (float(sys.argv[4]) if len(sys.argv) > 4 else 600)
progress = os.environ.get("LT_LEECH_PROGRESS") == "1"
while time.monotonic() < deadline:
    session.wait_for_alert(100)
    if progress:
        print(json.dumps({"progress": handle.status().progress}), flush=True)
    for a in session.pop_alerts():
        if isinstance(a, lt.torrent_finished_alert):
            if progress:
                s = handle.status()
                print(json.dumps({"event": "done", "downloaded": s.total_payload_download, "uploaded": s.total_payload_upload}), flush=True)
            sys.exit(0)
        if isinstance(a, lt.torrent_error_alert):
            print(a.message(), file=sys.stderr)
            sys.exit(1)
sys.exit(1)
