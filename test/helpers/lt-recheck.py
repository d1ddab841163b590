"""Asks libtorrent whether a .torrent matches data on disk.

usage: lt-recheck.py FILE.torrent SAVE_PATH
Adds the torrent with its data under SAVE_PATH, forces a full recheck, waits for it and prints
one JSON line: {"progress": float, "num_pieces": int, "pieces": int, "state": str, "error": str}.
No network: listening only on loopback, DHT/LSD/UPnP/NAT-PMP off, nothing to connect to (no trackers are reachable).
"""
import json
import sys
import time

import libtorrent as lt

torrent_path, save_path = sys.argv[1], sys.argv[2]
session = lt.session({
    'listen_interfaces': '127.0.0.1:0',
    'enable_dht': False,
    'enable_lsd': False,
    'enable_upnp': False,
    'enable_natpmp': False,
    'alert_mask': lt.alert.category_t.status_notification | lt.alert.category_t.error_notification,
})
info = lt.torrent_info(torrent_path)
params = lt.add_torrent_params()
params.ti = info
params.save_path = save_path
params.flags &= ~lt.torrent_flags.auto_managed
params.flags &= ~lt.torrent_flags.paused
handle = session.add_torrent(params)


def wait_checked():
    deadline = time.time() + 60
    while time.time() < deadline:
        session.wait_for_alert(500)
        for alert in session.pop_alerts():
            if isinstance(alert, lt.torrent_checked_alert):
                return True
            if isinstance(alert, (lt.torrent_error_alert, lt.file_error_alert)):
                return False
    return False


# Adding without resume data checks the files once; the forced recheck does it again.
wait_checked()
handle.force_recheck()
wait_checked()

status = handle.status()
print(json.dumps({
    'progress': status.progress,
    'num_pieces': status.num_pieces,
    'pieces': info.num_pieces(),
    'state': str(status.state),
    'error': status.errc.message() if status.errc.value() != 0 else '',
}))
