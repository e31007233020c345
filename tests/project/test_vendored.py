"""GraphiQL's page, the reports page and the calendar load only files the app serves: the builds in
portal/vendor/files/ are exactly what `make vendor` (portal/vendor/refresh.sh)
copied from the npm packages pinned in portal/vendor/package.json, each with
its licence, and minified."""

from __future__ import annotations

import hashlib
import json

from tests.support.servers import ROOT

VENDOR = ROOT / "portal" / "vendor"
FILES = VENDOR / "files"
MANIFEST = json.loads((FILES / "MANIFEST.json").read_text())


def test_the_vendored_versions_are_the_pinned_ones():
    pins = json.loads((VENDOR / "package.json").read_text())["dependencies"]
    assert all(version[0].isdigit() for version in pins.values()), pins  # exact versions, no ranges
    assert MANIFEST["packages"] == pins


def test_every_vendored_file_is_as_refresh_sh_copied_it_and_none_was_added_by_hand():
    on_disk = {str(p.relative_to(FILES)) for p in FILES.rglob("*") if p.is_file()} - {"MANIFEST.json"}
    assert on_disk == set(MANIFEST["files"])
    for name, entry in MANIFEST["files"].items():
        assert hashlib.sha256((FILES / name).read_bytes()).hexdigest() == entry["sha256"], name


def test_each_package_comes_with_its_licence_and_the_bundled_ones_with_theirs():
    for package in MANIFEST["packages"]:
        assert "MIT License" in (FILES / "licenses" / f"{package}.LICENSE.txt").read_text()
    notices = (FILES / "licenses" / "THIRD-PARTY-NOTICES.txt").read_text()
    for bundled in ("graphql@", "codemirror@", "@graphiql/react@", "markdown-it@", "scheduler@", "@kurkle/color@", "@event-calendar/core@", "svelte@"):
        assert f"\n{bundled}" in notices, bundled


def test_the_builds_are_the_minified_production_ones():
    scripts = {name: (FILES / name).stat().st_size for name in MANIFEST["files"] if name.endswith((".js", ".css"))}
    assert sum(scripts.values()) < 2_000_000, scripts
    for name in scripts:
        lines = (FILES / name).read_text().count("\n")
        assert lines < 1000, f"{name} has {lines} lines: not a minified build"
