#!/bin/sh
# ocivalidate.sh RUNTIME: runs the OCI runtime-tools v0.9.0 validation
# programs against RUNTIME (an absolute path: build/nsinit, /usr/sbin/runc)
# and prints one line per program and a summary (OCIVALIDATE_KEEP=DIR keeps
# each program's TAP output as DIR/NAME.tap). Needs root. It builds the
# programs in a scratch module (pinned as FACTS.md §6 says: runtime-spec
# v1.0.2, selinux v1.10.2, urfave/cli v1.22.14), with the Go module proxy
# only, and removes the scratch directory afterwards.
set -eu
rt=${1:?usage: ocivalidate.sh /absolute/path/to/runtime}
work=$(mktemp -d)
# mktemp makes $work 0700. The programs that create a user namespace
# (linux_uid_mappings, linux_ns_nopath) run the container's root as an
# unprivileged host uid, which must be able to search every directory
# above the rootfs.
chmod 755 "$work"
# A program can leave mounts behind under $work (runc does, with
# linux_rootfs_propagation: a shared rootfs propagates the container's
# mounts back to the host). Removing $work must never walk into them: a
# bind mount of a host directory would be emptied. So unmount what is left
# under $work, deepest first, until nothing is, then remove $work without
# crossing into another file system.
cleanup() {
	cd /
	for _ in 1 2 3 4 5; do
		left=$(awk -v w="$work/" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
		[ -z "$left" ] && break
		for m in $left; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
	done
	if awk -v w="$work/" 'index($5, w) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		echo "ocivalidate: mounts remain under $work; not removing it" >&2
		return
	fi
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
cd "$work"
printf 'module rtv\n\ngo 1.26.0\n' > go.mod
export GOFLAGS=-mod=mod
go get github.com/opencontainers/runtime-tools@v0.9.0 github.com/opencontainers/runtime-spec@v1.0.2 \
	github.com/opencontainers/selinux@v1.10.2 github.com/urfave/cli@v1.22.14 >/dev/null 2>&1
m=$(go env GOMODCACHE)/github.com/opencontainers/runtime-tools@v0.9.0
CGO_ENABLED=0 go build -o runtimetest github.com/opencontainers/runtime-tools/cmd/runtimetest
cp "$m/rootfs-amd64.tar.gz" . && chmod 644 rootfs-amd64.tar.gz
mkdir bin
for d in "$m"/validation/*/; do
	n=$(basename "$d")
	[ -f "$d/$n.go" ] && go build -o bin/ "github.com/opencontainers/runtime-tools/validation/$n"
done
# The programs make their bundles with ioutil.TempDir("", "ocitest") and
# many never remove them: give them a TMPDIR inside $work, which the trap
# removes, so no /tmp/ocitest* directory is left behind.
mkdir tmp
full=0 total=0 oks=0 noks=0
for p in bin/*; do
	n=$(basename "$p")
	total=$((total + 1))
	RUNTIME=$rt TMPDIR=$work/tmp timeout 60 "$p" > out.tap 2>&1 || true
	if [ -n "${OCIVALIDATE_KEEP:-}" ]; then cp out.tap "$OCIVALIDATE_KEEP/$n.tap"; fi
	o=$(grep -c '^ok' out.tap || true)
	f=$(grep -c '^not ok' out.tap || true)
	oks=$((oks + o)) noks=$((noks + f))
	if [ "$f" = 0 ] && [ "$o" -gt 0 ]; then full=$((full + 1)); echo "PASS $n ($o)"; else echo "FAIL $n ok=$o notok=$f"; fi
done
echo "programs fully passing: $full of $total; assertions ok $oks, not ok $noks"
