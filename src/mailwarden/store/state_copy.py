"""A throw-away copy of a state directory, for commands that must not change it (eval, bench)."""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile


def copy_state(state_dir: str) -> str:
    """Copy `state_dir` to a temporary directory removed at exit; SQLite files via the backup API so a
    store being written by a running scanner is copied consistently."""
    dest = tempfile.mkdtemp(prefix="mailwarden-state-")
    atexit.register(shutil.rmtree, dest, True)
    if not os.path.isdir(state_dir):
        return dest
    for root, _dirs, files in os.walk(state_dir):
        rel = os.path.relpath(root, state_dir)
        target = os.path.join(dest, rel) if rel != "." else dest
        os.makedirs(target, exist_ok=True)
        for name in files:
            src = os.path.join(root, name)
            if name.endswith(("-wal", "-shm")):
                continue  # folded into the main file by the backup below
            if name.endswith((".sqlite3", ".sqlite", ".db")):
                try:
                    s, d = sqlite3.connect(src), sqlite3.connect(os.path.join(target, name))
                    try:
                        s.backup(d)
                    finally:
                        s.close()
                        d.close()
                    continue
                except sqlite3.Error:
                    pass
            shutil.copy2(src, os.path.join(target, name))
    return dest
