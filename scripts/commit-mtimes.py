#!/usr/bin/env python3
"""Give every tracked, unmodified file the time of the last commit that changed it.

Why (issue 21): cargo decides whether a workspace crate must be rebuilt from its files'
modification times. A fresh clone stamps every file with the clone's time, so every CI run
rebuilt lockstep's own crates (clippy, the wasm, the release server, every test binary: about
ten minutes on 2 cores) even when nothing in them changed. With commit times, a crate whose files
did not change since the last build on this machine is fresh, and one that changed is newer than
that build and is rebuilt.

The times come from main's first-parent history, so a file brought in by a merge gets the
merge's time (not the older time of the branch commit). Modified and untracked files keep their
own times. Run from the repository root; does nothing outside a git checkout.
"""
import os
import subprocess
import sys


def git(*args):
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def main():
    try:
        tracked = set(git("ls-files", "-z").split("\0")) - {""}
    except (subprocess.CalledProcessError, FileNotFoundError):
        return 0
    dirty = set()
    for line in git("status", "--porcelain", "-z").split("\0"):
        if len(line) > 3:
            dirty.add(line[3:])
    pending = tracked - dirty
    stamped = 0
    log = subprocess.Popen(
        ["git", "log", "--first-parent", "-m", "--format=%x01%ct", "--name-only", "-z"],
        stdout=subprocess.PIPE,
        text=True,
    )
    when = None
    for chunk in log.stdout.read().split("\0"):
        for part in chunk.split("\n"):
            part = part.strip()
            if not part:
                continue
            if part.startswith("\x01"):
                when = int(part[1:])
            elif part in pending and when is not None:
                try:
                    os.utime(part, (when, when), follow_symlinks=False)
                    stamped += 1
                except OSError:
                    pass
                pending.discard(part)
        if not pending:
            break
    log.kill()
    log.wait()
    print(f"file times from commits: {stamped} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
