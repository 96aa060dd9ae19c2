#!/usr/bin/env bash
# RHVoice (Debian's non-free rhvoice packages) unpacked under DEST, changing nothing outside the project:
# apt reads a private list of the system's own Debian mirror with the non-free component, downloads the
# packages, and dpkg-deb unpacks them. The narration backend loads the library from there.
# Usage: rhvoice.sh DEST PACKAGE...
set -euo pipefail
dest=$1
shift
[ -f "$dest/root/usr/lib/x86_64-linux-gnu/libRHVoice.so.5" ] && exit 0
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
mirror=$({ grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources || true
           grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list || true; } |
         awk '{print $2}' | grep -v -e security -e updates | head -n 1)
[ -n "$mirror" ] || { echo "no Debian mirror in the apt sources" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$dest/root"
echo "deb $mirror $codename non-free" > "$work/sources.list"
apt_private=(-o "Dir::Etc::sourcelist=$work/sources.list" -o "Dir::Etc::sourceparts=/nonexistent"
             -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "Debug::NoLocking=1"
             -o "APT::Sandbox::User=root")
apt-get -qq "${apt_private[@]}" update
(cd "$work" && apt-get -qq "${apt_private[@]}" download "$@")
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$dest/root"; done
