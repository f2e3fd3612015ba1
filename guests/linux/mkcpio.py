#!/usr/bin/env python3
"""Writes a directory tree as a "newc" cpio archive, the format the kernel unpacks as initramfs.

Every entry belongs to root with mtime 0, in sorted order, so the same tree gives the same
bytes. Device nodes need no root on the build host: they are named on the command line.
The format is Linux Documentation/driver-api/early-userspace/buffer-format.rst.

Usage: mkcpio.py ROOT_DIR OUT.cpio [--node PATH:c|b:MAJOR:MINOR:MODE]...
"""
import os
import stat
import sys

TRAILER = "TRAILER!!!"


def header(ino, mode, nlink, size, rdev_major, rdev_minor, name_len):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev_major, rdev_minor, name_len, 0]
    return b"070701" + b"".join(b"%08X" % v for v in fields)


def pad4(n):
    return b"\0" * (-n % 4)


class Writer:
    def __init__(self, out):
        self.out = out
        self.ino = 0

    def entry(self, name, mode, data=b"", nlink=1, rdev=(0, 0)):
        self.ino += 1
        encoded = name.encode() + b"\0"
        head = header(self.ino, mode, nlink, len(data), rdev[0], rdev[1], len(encoded)) + encoded
        self.out.write(head + pad4(len(head)) + data + pad4(len(data)))


def parse_node(spec):
    try:
        path, kind, major, minor, mode = spec.split(":")
        kind_bits = {"c": stat.S_IFCHR, "b": stat.S_IFBLK}[kind]
        return path.strip("/"), kind_bits | int(mode, 8), (int(major), int(minor))
    except (ValueError, KeyError):
        raise SystemExit(f"mkcpio: bad --node '{spec}' (want PATH:c|b:MAJOR:MINOR:MODE)")


def tree(root):
    """(archive name, host path) of every file below root, sorted by path: parents first."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            host = os.path.join(dirpath, name)
            found.append((os.path.relpath(host, root).split(os.sep), host))
    return [("/".join(parts), host) for parts, host in sorted(found)]


def main(argv):
    args = argv[1:]
    nodes = []
    while "--node" in args:
        i = args.index("--node")
        if i + 1 >= len(args):
            raise SystemExit("mkcpio: --node needs a value")
        nodes.append(parse_node(args[i + 1]))
        del args[i:i + 2]
    if len(args) != 2 or not os.path.isdir(args[0]):
        raise SystemExit(__doc__.strip().splitlines()[-1])
    root, out_path = args
    node_names = {n[0] for n in nodes}
    with open(out_path, "wb") as out:
        w = Writer(out)
        for name, host in tree(root):
            if name in node_names:
                raise SystemExit(f"mkcpio: {name} is both in the tree and a --node")
            st = os.lstat(host)
            if stat.S_ISDIR(st.st_mode):
                w.entry(name, stat.S_IFDIR | (st.st_mode & 0o7777), nlink=2)
            elif stat.S_ISLNK(st.st_mode):
                w.entry(name, stat.S_IFLNK | 0o777, os.readlink(host).encode())
            elif stat.S_ISREG(st.st_mode):
                with open(host, "rb") as f:
                    w.entry(name, stat.S_IFREG | (st.st_mode & 0o7777), f.read())
            else:
                raise SystemExit(f"mkcpio: {host}: not a file, directory or symlink")
        for name, mode, rdev in sorted(nodes):
            if os.path.dirname(name) and not os.path.isdir(os.path.join(root, os.path.dirname(name))):
                raise SystemExit(f"mkcpio: --node {name}: its directory is not in the tree")
            w.entry(name, mode, rdev=rdev)
        w.entry(TRAILER, 0, nlink=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
