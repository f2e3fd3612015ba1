#!/usr/bin/env python3
"""Resolves kernel modules and their dependencies inside an unpacked linux-image package.

Debian's package ships no modules.dep (depmod writes it at install time), so the dependencies
come from each module's own .modinfo section: its "depends=" field, which the kernel build
computed from the symbols the module imports (the same data depmod uses). Module names treat
'-' and '_' alike, as the kernel does. Modules built into the kernel (modules.builtin) need
nothing and are reported as such.

Prints one line per module to load, dependencies first: NAME RELATIVE_PATH
Usage: moddeps.py MODULES_DIR MODULE...   (MODULES_DIR is lib/modules/<version>)
"""
import os
import sys

SUFFIXES = (".ko", ".ko.xz", ".ko.zst", ".ko.gz")


def norm(name):
    return name.replace("-", "_")


def index_modules(moddir):
    """Maps normalized module name -> path relative to moddir."""
    found = {}
    for dirpath, _, files in os.walk(os.path.join(moddir, "kernel")):
        for f in files:
            for suffix in SUFFIXES:
                if f.endswith(suffix):
                    found[norm(f[:-len(suffix)])] = os.path.relpath(os.path.join(dirpath, f), moddir)
    return found


def builtin_names(moddir):
    path = os.path.join(moddir, "modules.builtin")
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        return {norm(os.path.basename(line.strip())[:-3]) for line in f if line.strip().endswith(".ko")}


def read_module(path):
    """The module's bytes, decompressed if the package ships it compressed."""
    import subprocess
    tool = {".xz": ["xz", "-dc"], ".zst": ["zstd", "-dcq"], ".gz": ["gzip", "-dc"]}
    ext = os.path.splitext(path)[1]
    if ext in tool:
        return subprocess.run(tool[ext] + [path], check=True, stdout=subprocess.PIPE).stdout
    with open(path, "rb") as f:
        return f.read()


def modinfo_depends(data):
    """The depends= list from the .modinfo section of an ELF64 module."""
    import struct
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ValueError("not an ELF64 module")
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def section(i):
        name, _, _, _, off, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        return name, off, size

    _, stroff, _ = section(shstrndx)
    for i in range(shnum):
        name, off, size = section(i)
        end = data.index(b"\0", stroff + name)
        if data[stroff + name:end] == b".modinfo":
            for field in data[off:off + size].split(b"\0"):
                if field.startswith(b"depends="):
                    value = field[len(b"depends="):].decode()
                    return [norm(d) for d in value.split(",") if d]
            return []
    raise ValueError("no .modinfo section")


def resolve(moddir, wanted, index, builtin, read=read_module):
    """Returns [(name, relpath)] in load order; raises ValueError naming a missing module."""
    order, state = [], {}

    def visit(name, chain):
        if state.get(name) == "done" or name in builtin:
            return
        if state.get(name) == "visiting":
            raise ValueError("dependency cycle: " + " -> ".join(chain + [name]))
        if name not in index:
            raise ValueError(f"module {name} (needed by {' -> '.join(chain) or 'the guest'}) "
                             "is neither in the package nor built in")
        state[name] = "visiting"
        for dep in modinfo_depends(read(os.path.join(moddir, index[name]))):
            visit(dep, chain + [name])
        state[name] = "done"
        order.append((name, index[name]))

    for w in wanted:
        visit(norm(w), [])
    return order


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    moddir, wanted = argv[1], argv[2:]
    builtin = builtin_names(moddir)
    try:
        for name, rel in resolve(moddir, wanted, index_modules(moddir), builtin):
            print(name, rel)
    except (ValueError, OSError) as e:
        print(f"moddeps: {e}", file=sys.stderr)
        return 1
    for w in wanted:
        if norm(w) in builtin:
            print(f"moddeps: {w} is built into the kernel", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
