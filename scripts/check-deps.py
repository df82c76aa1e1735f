#!/usr/bin/env python3
"""Fails on any dependency edge that DESIGN.md forbids (section 3, "arrows point one way").

Firmware-side crates (the portable toolkit and any crate under firmware/) run on a board, so
they must not depend on the simulator (fwsim) or the simulated board (fwsim-hw) except in
their tests; the simulator depends on no other crate of the workspace; the simulated board
depends on the simulator only, tests included (it must stay usable with any firmware).

Usage: check-deps.py            check this workspace (cargo metadata)
       check-deps.py --self-test show that a forbidden edge is caught
"""
import json
import os
import subprocess
import sys

FIRMWARE_SIDE = {"fwsim-primitives", "fwsim-drivers"}
SIMULATION = {"fwsim", "fwsim-hw"}
# Crates that are part of the simulator itself (its proc-macro crate, as tokio has tokio-macros;
# its hooks crate, which firmware-side crates call as they call embassy-time-driver).
SIMULATOR_PARTS = {"fwsim-macros", "fwsim-hooks"}


def firmware_side(pkg):
    return pkg["name"] in FIRMWARE_SIDE or f"{os.sep}firmware{os.sep}" in pkg["manifest_path"]


def violations(metadata):
    packages = metadata["packages"]
    firmware = {p["name"] for p in packages if firmware_side(p)}
    workspace = {p["name"] for p in packages}
    found = []
    for p in packages:
        for d in p["dependencies"]:
            name, kind = d["name"], d.get("kind") or "normal"
            if d.get("rename"):
                name = d["name"]
            if name not in workspace:
                continue
            edge = f"{p['name']} -> {name} ({kind})"
            if p["name"] in firmware and name in SIMULATION and kind != "dev":
                found.append(f"{edge}: a firmware-side crate must not depend on the simulation outside its tests")
            elif p["name"] == "fwsim-hw" and name in firmware:
                found.append(f"{edge}: the simulated board imports no firmware-side crate (adapters go in tests)")
            elif p["name"] == "fwsim" and kind != "dev" and name not in SIMULATOR_PARTS:
                found.append(f"{edge}: the simulator depends on no other crate of the workspace")
    return found


def metadata():
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps", "--locked"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def self_test():
    def pkg(name, deps, path=None):
        return {
            "name": name,
            "manifest_path": path or f"/ws/{name}/Cargo.toml",
            "dependencies": [{"name": n, "kind": k} for n, k in deps],
        }

    clean = {"packages": [pkg("fwsim", []), pkg("fwsim-hw", [("fwsim", None)]), pkg("fwsim-drivers", [("fwsim", "dev")])]}
    assert violations(clean) == [], violations(clean)
    cases = [
        pkg("fwsim-drivers", [("fwsim-hw", None)]),
        pkg("demo", [("fwsim", None)], path="/ws/firmware/demo/Cargo.toml"),
        pkg("fwsim-hw", [("fwsim-drivers", "dev")]),
        pkg("fwsim", [("fwsim-hw", None)]),
    ]
    for bad in cases:
        others = [p for p in clean["packages"] if p["name"] != bad["name"]]
        found = violations({"packages": others + [bad, pkg("fwsim-drivers", []) if bad["name"] != "fwsim-drivers" else pkg("x", [])]})
        assert found, f"not caught: {bad}"
    print(f"check-deps self-test: {len(cases)} forbidden edges caught, a clean graph passes")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        sys.exit(0)
    found = violations(metadata())
    for v in found:
        print(f"forbidden dependency: {v}", file=sys.stderr)
    if found:
        sys.exit(1)
    print("dependency directions: as DESIGN.md says")
