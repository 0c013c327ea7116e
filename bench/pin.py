#!/usr/bin/env python3
"""Keeps files in memory while a benchmark runs: maps each one and locks
it (mlock), then waits until killed.

This machine runs DAMON with a "pageout" scheme: physical memory that has
been read at most once per 5-second window for a minute is reclaimed, at
up to 128 MiB/s. A capture read once per benchmark run looks exactly like
that, so in the middle of a long series of runs part of it goes back to
the disk, and the runs that follow read it back (a worker's page fault
counts as its running time): one run in ten took 2 to 3 times as long.
Locked pages are not reclaimed.

usage: python3 bench/pin.py FILE... &   (prints "pinned" once locked)
"""
import ctypes
import mmap
import os
import signal
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]

for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
    if addr is None or addr == ctypes.c_void_p(-1).value:
        sys.exit(f"pin: mmap {path}: {os.strerror(ctypes.get_errno())}")
    if libc.mlock(ctypes.c_void_p(addr), size) != 0:
        sys.exit(f"pin: mlock {path}: {os.strerror(ctypes.get_errno())}")
print("pinned", flush=True)
signal.pause()
