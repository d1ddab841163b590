#!/usr/bin/python3
"""libtorrent's side of the metainfo interop tests.

  lt-torrent.py create --mode v1|v2|hybrid [--pad] [--piece-length N] [--tracker URL]...
                       [--web-seed URL]... [--private] [--comment TEXT] --out OUT.torrent SOURCE
  lt-torrent.py dump FILE.torrent...

`dump` prints one JSON object per file (a JSON list), libtorrent's view of it, or
{"error": "..."} when libtorrent refuses to load it.
Run with Debian's /usr/bin/python3, which has the bindings.
"""
import argparse
import json
import os
import sys

import libtorrent as lt


def create(args):
    flags = 0
    if args.mode == 'v1':
        flags |= lt.create_torrent.v1_only
    elif args.mode == 'v2':
        flags |= lt.create_torrent.v2_only
    if args.pad:
        # Pads every file to a piece boundary (what hybrid torrents always do).
        flags |= lt.create_torrent.canonical_files
    fs = lt.file_storage()
    lt.add_files(fs, args.source)
    ct = lt.create_torrent(fs, args.piece_length, flags)
    for tier, url in enumerate(args.tracker):
        ct.add_tracker(url, tier)
    for url in args.web_seed:
        ct.add_url_seed(url)
    if args.private:
        ct.set_priv(True)
    if args.comment:
        ct.set_comment(args.comment)
    ct.set_creator('lt-torrent.py')
    lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(args.source)))
    with open(args.out, 'wb') as out:
        out.write(lt.bencode(ct.generate()))


def hex_or_none(h):
    text = str(h)
    return None if set(text) <= {'0'} else text


def describe(path):
    try:
        info = lt.torrent_info(path)
    except Exception as error:  # libtorrent raises RuntimeError for a bad torrent
        return {'error': str(error)}
    fs = info.files()
    hashes = info.info_hashes()
    files = []
    for i in range(fs.num_files()):
        files.append({
            'path': fs.file_path(i).replace(os.sep, '/'),
            'size': fs.file_size(i),
            'offset': fs.file_offset(i),
            'pad': bool(fs.file_flags(i) & lt.file_storage.flag_pad_file),
        })
    return {
        'infoHashV1': hex_or_none(hashes.v1) if hashes.has_v1() else None,
        'infoHashV2': hex_or_none(hashes.v2) if hashes.has_v2() else None,
        'name': info.name(),
        'totalSize': info.total_size(),
        'pieceLength': info.piece_length(),
        'numPieces': info.num_pieces(),
        'private': info.priv(),
        'files': files,
        'trackers': [{'url': t.url, 'tier': t.tier} for t in info.trackers()],
        'webSeeds': [w['url'] for w in info.web_seeds()],
        'comment': info.comment(),
        'creator': info.creator(),
    }


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest='command', required=True)
    c = sub.add_parser('create')
    c.add_argument('--mode', choices=['v1', 'v2', 'hybrid'], default='hybrid')
    c.add_argument('--pad', action='store_true')
    c.add_argument('--piece-length', type=int, default=16384)
    c.add_argument('--tracker', action='append', default=[])
    c.add_argument('--web-seed', action='append', default=[])
    c.add_argument('--private', action='store_true')
    c.add_argument('--comment')
    c.add_argument('--out', required=True)
    c.add_argument('source')
    d = sub.add_parser('dump')
    d.add_argument('files', nargs='+')
    args = parser.parse_args()
    if args.command == 'create':
        create(args)
    else:
        json.dump([describe(p) for p in args.files], sys.stdout)
        sys.stdout.write('\n')


if __name__ == '__main__':
    main()
