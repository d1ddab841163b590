#!/usr/bin/python3
"""A libtorrent peer for btui's interop tests; driven by test/helpers/libtorrent-peer.ts.

Run with Debian's /usr/bin/python3 (the one with the libtorrent bindings):

    /usr/bin/python3 lt-peer.py '{"torrent": "x.torrent", "save_path": "dir", "mode": "seed"}'

Config keys: torrent, save_path, mode ("seed" | "leech"), listen_host (default 127.0.0.1; an IPv6 one such as ::1 too),
port (0 = any free one), extra_peers ([[host, port], ...] connected directly),
upload_limit / download_limit (bytes/s, 0 = none), interval (status period, seconds),
magnet (a magnet URI instead of torrent: libtorrent fetches the metadata itself),
dht_bootstrap ("host:port,..."; turns libtorrent's DHT on, allowed to use loopback nodes),
utp_only (TCP off both ways, uTP on: the peer speaks uTP only).
encryption ("forced": MSE/PE with RC4 only, both ways; "enabled": libtorrent's default, tries
MSE/PE and falls back, either level; "disabled": plaintext only).

Prints one JSON object per line on stdout:
  {"type": "listening", "host": ..., "port": ...}        once, when the socket is bound
  {"type": "tracker_reply", "url": ..., "num_peers": n}  each successful announce
  {"type": "tracker_error", "url": ..., "message": ...}
  {"type": "status", "state": ..., "progress": 0..1, "num_peers": n, "download_rate": ...,
   "upload_rate": ..., "total_upload": ..., "total_download": ...}  every `interval` seconds
  {"type": "metadata"}                                   a magnet's metadata arrived
  {"type": "dht_bootstrap"}                              the DHT finished bootstrapping
  {"type": "error", "message": ...}                       fatal, then exit 1
  {"type": "exit", "reason": ...}                         stopping (stdin closed)
Exits when stdin closes (so it never outlives the test) or on SIGTERM.
"""
import json
import os
import select
import sys
import threading
import time

import libtorrent as lt


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    cfg = json.loads(sys.argv[1])
    host = cfg.get("listen_host", "127.0.0.1")
    port = int(cfg.get("port", 0))
    alerts = lt.alert.category_t
    settings = {
        "listen_interfaces": ("[%s]:%d" if ":" in host else "%s:%d") % (host, port),
        "outgoing_interfaces": host,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        # Loopback swarms: every peer shares an address, trackers live on 127.0.0.1.
        "allow_multiple_connections_per_ip": True,
        "ssrf_mitigation": False,
        "apply_ip_filter_to_trackers": False,
        # Rate limits must hold on loopback too, or they are silently ignored.
        "ignore_limits_on_local_network": False,
        "upload_rate_limit": int(cfg.get("upload_limit", 0)),
        "download_rate_limit": int(cfg.get("download_limit", 0)),
        "announce_to_all_trackers": True,
        "announce_to_all_tiers": True,
        "user_agent": "btui-test-libtorrent",
        "alert_mask": alerts.status_notification | alerts.tracker_notification | alerts.error_notification | alerts.dht_notification,
    }
    dht_bootstrap = cfg.get("dht_bootstrap")
    if dht_bootstrap:
        settings.update({
            "enable_dht": True,
            "dht_bootstrap_nodes": dht_bootstrap,
            # A loopback DHT: every node is on 127.0.0.1, with ids not derived from its IP.
            "dht_restrict_routing_ips": False,
            "dht_restrict_search_ips": False,
            "dht_enforce_node_id": False,
            "dht_prefer_verified_node_ids": False,
            "dht_ignore_dark_internet": False,
        })
    if cfg.get("utp_only"):
        settings.update({
            "enable_outgoing_tcp": False,
            "enable_incoming_tcp": False,
            "enable_outgoing_utp": True,
            "enable_incoming_utp": True,
        })
    encryption = cfg.get("encryption")
    if encryption:
        policy = {"forced": lt.enc_policy.forced, "enabled": lt.enc_policy.enabled, "disabled": lt.enc_policy.disabled}[encryption]
        settings.update({
            "out_enc_policy": int(policy),
            "in_enc_policy": int(policy),
            "allowed_enc_level": int(lt.enc_level.rc4 if encryption == "forced" else lt.enc_level.both),
        })
    session = lt.session(settings)
    # Never let loopback peers be filtered out.
    session.set_ip_filter(lt.ip_filter())

    if cfg.get("magnet"):
        params = lt.parse_magnet_uri(cfg["magnet"])
    else:
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(cfg["torrent"])
    params.save_path = cfg["save_path"]
    if cfg.get("mode") == "seed":
        params.flags |= lt.torrent_flags.seed_mode
    handle = session.add_torrent(params)

    stop = threading.Event()

    stop_reason = []

    def watch_stdin():
        # Only a real end of input stops us: a non-blocking stdin (EAGAIN) or a signal
        # interrupting the read is waited out, not taken for the test going away.
        fd = sys.stdin.fileno()
        while True:
            try:
                select.select([fd], [], [])
                if not os.read(fd, 4096):
                    stop_reason.append("stdin closed")
                    break
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as e:
                stop_reason.append("stdin unreadable: %s" % e)
                break
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()

    listening = False
    next_extra = 0.0
    interval = float(cfg.get("interval", 0.25))
    next_status = 0.0
    while not stop.is_set():
        session.wait_for_alert(int(interval * 1000))
        for a in session.pop_alerts():
            if isinstance(a, lt.listen_succeeded_alert) and not listening:
                listening = True
                emit({"type": "listening", "host": host, "port": a.port})
            elif isinstance(a, lt.listen_failed_alert):
                emit({"type": "error", "message": "listen failed: %s" % a.message()})
                return 1
            elif isinstance(a, lt.tracker_reply_alert):
                emit({"type": "tracker_reply", "url": a.url, "num_peers": a.num_peers})
            elif isinstance(a, lt.tracker_error_alert):
                emit({"type": "tracker_error", "url": a.url, "message": a.message()})
            elif isinstance(a, lt.metadata_received_alert):
                emit({"type": "metadata"})
            elif isinstance(a, lt.dht_bootstrap_alert):
                emit({"type": "dht_bootstrap"})
                handle.force_dht_announce()
            elif isinstance(a, lt.torrent_error_alert):
                emit({"type": "error", "message": a.message()})
        now = time.monotonic()
        # Each given peer is asked for again while libtorrent holds no connection to it at all
        # (not even one being set up): a first attempt on a busy machine can fail, and
        # libtorrent may not try that address again for minutes.
        extra = cfg.get("extra_peers", [])
        if listening and extra and now >= next_extra:
            next_extra = now + 3.0
            held = {(p.ip[0], p.ip[1]) for p in handle.get_peer_info()}
            for peer_host, peer_port in extra:
                if (peer_host, int(peer_port)) not in held:
                    handle.connect_peer((peer_host, int(peer_port)))
        if now >= next_status:
            next_status = now + interval
            s = handle.status()
            peers = handle.get_peer_info()
            # a connection still being set up has no stream yet: it is neither RC4 nor plaintext
            settingUp = lt.peer_info.handshake | lt.peer_info.connecting
            established = [p for p in peers if not p.flags & settingUp]
            emit({
                "rc4_peers": sum(1 for p in established if p.flags & lt.peer_info.rc4_encrypted),
                "plaintext_peers": sum(1 for p in established if not p.flags & lt.peer_info.rc4_encrypted),
                "type": "status",
                # peer_info::utp_socket is bit 17 (the Python bindings do not name it)
                "utp_peers": sum(1 for p in handle.get_peer_info() if int(p.flags) & (1 << 17)),
                "state": str(s.state),
                "progress": s.progress,
                "num_peers": s.num_peers,
                "download_rate": s.download_rate,
                "upload_rate": s.upload_rate,
                "total_upload": s.total_upload,
                "total_download": s.total_download,
            })
    emit({"type": "exit", "reason": stop_reason[0] if stop_reason else "stopped"})
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # one JSON line, never a bare traceback the test cannot parse
        emit({"type": "error", "message": "%s: %s" % (type(e).__name__, e)})
        sys.exit(1)
