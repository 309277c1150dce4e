package cgroups

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// appliedV1 returns a v1 Manager whose cgroup holds a sleeping process.
func appliedV1(t *testing.T) Manager {
	t.Helper()
	return withSleeper(t, newV1Test(t))
}

// withSleeper puts a sleeping process, killed at the test's end, in m's
// cgroup.
func withSleeper(t *testing.T, m Manager) Manager {
	t.Helper()
	sleep := exec.Command("sleep", "100")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sleep.Process.Kill(); _ = sleep.Wait() })
	if err := m.Apply(sleep.Process.Pid); err != nil {
		t.Fatal(err)
	}
	return m
}

func boolp(b bool) *bool { return &b }

// TestSetMemoryKernelTCPSwappinessOOM: the memory fields other than the
// limit, read back from the kernel's files. memory.kernel is checked
// apart: this kernel may ignore it (TestSetKernelMemory).
func TestSetMemoryKernelTCPSwappinessOOM(t *testing.T) {
	m := appliedV1(t)
	d := m.Paths()["memory"]
	const limit = 50593792 // a multiple of the page size
	r := &specs.LinuxResources{Memory: &specs.LinuxMemory{
		Limit: i64(limit), Reservation: i64(limit), KernelTCP: i64(limit),
		Swappiness: u64(10), DisableOOMKiller: boolp(true),
	}}
	if exists(d, "memory.memsw.limit_in_bytes") {
		r.Memory.Swap = i64(limit)
	}
	if err := m.Set(r); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		"memory.limit_in_bytes":          strconv.Itoa(limit),
		"memory.soft_limit_in_bytes":     strconv.Itoa(limit),
		"memory.kmem.tcp.limit_in_bytes": strconv.Itoa(limit),
		"memory.swappiness":              "10",
	} {
		if got, err := readFile(d, file); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", file, got, err, want)
		}
	}
	if r.Memory.Swap != nil {
		if got, _ := readFile(d, "memory.memsw.limit_in_bytes"); got != strconv.Itoa(limit) {
			t.Errorf("memory.memsw.limit_in_bytes = %q, want %d", got, limit)
		}
	}
	if kv, err := readKeyValues(d, "memory.oom_control"); err != nil || kv["oom_kill_disable"] != 1 {
		t.Errorf("memory.oom_control = %v, %v; want oom_kill_disable 1", kv, err)
	}
	// And back: the OOM killer on again, TCP memory unlimited.
	if err := m.Set(&specs.LinuxResources{Memory: &specs.LinuxMemory{KernelTCP: i64(-1), DisableOOMKiller: boolp(false)}}); err != nil {
		t.Fatal(err)
	}
	if kv, _ := readKeyValues(d, "memory.oom_control"); kv["oom_kill_disable"] != 0 {
		t.Errorf("memory.oom_control = %v after DisableOOMKiller false, want oom_kill_disable 0", kv)
	}
	if got, _ := readUint(d, "memory.kmem.tcp.limit_in_bytes"); got < 1<<62 {
		t.Errorf("memory.kmem.tcp.limit_in_bytes = %d after -1, want the unlimited value", got)
	}
}

// TestSetKernelMemory: memory.kernel is accepted with the limits given
// beside it, which are set; memory.kmem.limit_in_bytes then reads the
// limit on a kernel that enforces it, and stays unlimited on one that
// discards it (Linux 5.16 and later; the deprecation is in dmesg).
func TestSetKernelMemory(t *testing.T) {
	m := appliedV1(t)
	d := m.Paths()["memory"]
	//lint:ignore SA1019 the deprecated field is what this test sets
	if err := m.Set(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: i64(96 << 20), Kernel: i64(64 << 20)}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := readUint(d, "memory.limit_in_bytes"); got != 96<<20 {
		t.Errorf("memory.limit_in_bytes = %d, want %d", got, 96<<20)
	}
	if !exists(d, "memory.kmem.limit_in_bytes") {
		return
	}
	got, err := readUint(d, "memory.kmem.limit_in_bytes")
	if err != nil {
		t.Fatal(err)
	}
	var uts syscall.Utsname
	_ = syscall.Uname(&uts)
	var rel []byte
	for _, c := range uts.Release {
		if c == 0 {
			break
		}
		rel = append(rel, byte(c))
	}
	var major, minor int
	fmt.Sscanf(string(rel), "%d.%d", &major, &minor)
	discards := major > 5 || (major == 5 && minor >= 16)
	if discards && got < 1<<62 {
		t.Errorf("Linux %s: memory.kmem.limit_in_bytes = %d, want it unlimited (the kernel discards writes)", rel, got)
	}
	if !discards && got != 64<<20 {
		t.Errorf("Linux %s: memory.kmem.limit_in_bytes = %d, want %d", rel, got, 64<<20)
	}
}

// blockDevice returns the major and minor number of a whole block
// device of this machine that has the blkio throttle files, or skips.
func blockDevice(t *testing.T) (int64, int64) {
	t.Helper()
	ents, _ := os.ReadDir("/sys/block")
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "loop") || strings.HasPrefix(e.Name(), "zram") {
			continue
		}
		dev, err := os.ReadFile(filepath.Join("/sys/block", e.Name(), "dev"))
		if err != nil {
			continue
		}
		var maj, min int64
		if _, err := fmt.Sscanf(strings.TrimSpace(string(dev)), "%d:%d", &maj, &min); err == nil {
			return maj, min
		}
	}
	t.Skip("no block device in /sys/block")
	return 0, 0
}

// TestSetBlkioThrottles: the four throttles of a real device read back
// as "MAJ:MIN RATE"; weights and leaf weights are set where the
// scheduler has them and refused with ErrNoController, naming the file,
// where it does not, writing nothing (the throttles given with them stay
// as they were); a device that does not exist is refused before any
// write.
func TestSetBlkioThrottles(t *testing.T) {
	m := appliedV1(t)
	d := m.Paths()["blkio"]
	maj, min := blockDevice(t)
	dev := fmt.Sprintf("%d:%d", maj, min)
	rate := func(r uint64) []specs.LinuxThrottleDevice {
		return []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: maj, Minor: min}, Rate: r}}
	}
	b := &specs.LinuxBlockIO{ThrottleReadBpsDevice: rate(102400), ThrottleWriteBpsDevice: rate(204800),
		ThrottleReadIOPSDevice: rate(300), ThrottleWriteIOPSDevice: rate(400)}
	if err := m.Set(&specs.LinuxResources{BlockIO: b}); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"blkio.throttle.read_bps_device": dev + " 102400", "blkio.throttle.write_bps_device": dev + " 204800",
		"blkio.throttle.read_iops_device": dev + " 300", "blkio.throttle.write_iops_device": dev + " 400",
	}
	for file, want := range files {
		if got, err := readFile(d, file); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", file, got, err, want)
		}
	}
	wd := []specs.LinuxWeightDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: maj, Minor: min}, Weight: u16(500), LeafWeight: u16(300)}}
	withWeights := &specs.LinuxBlockIO{Weight: u16(500), LeafWeight: u16(300), WeightDevice: wd, ThrottleReadBpsDevice: rate(1 << 20)}
	err := m.Set(&specs.LinuxResources{BlockIO: withWeights})
	if exists(d, "blkio.leaf_weight") && exists(d, "blkio.weight") {
		if err != nil {
			t.Fatalf("Set(weights) with CFQ files = %v", err)
		}
		for file, want := range map[string]string{"blkio.weight": "500", "blkio.leaf_weight": "300", "blkio.leaf_weight_device": dev + " 300"} {
			if got, _ := readFile(d, file); got != want {
				t.Errorf("%s = %q, want %q", file, got, want)
			}
		}
	} else {
		if !errors.Is(err, ErrNoController) || !strings.Contains(err.Error(), "blkio.leaf_weight") {
			t.Errorf("Set(leafWeight) without blkio.leaf_weight = %v, want ErrNoController naming it", err)
		}
		if got, _ := readFile(d, "blkio.throttle.read_bps_device"); got != files["blkio.throttle.read_bps_device"] {
			t.Errorf("blkio.throttle.read_bps_device = %q after a refused Set, want it unchanged", got)
		}
	}
	// 8:0 is sda in the runtime-tools tests; any free number will do.
	missing := int64(0)
	for ; missing < 1<<20; missing++ {
		if _, err := os.Stat(fmt.Sprintf("/sys/dev/block/%d:0", 200+missing)); err != nil {
			break
		}
	}
	nodev := []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 200 + missing, Minor: 0}, Rate: 1}}
	err = m.Set(&specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{ThrottleReadBpsDevice: append(rate(1<<20), nodev...)}})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("device %d:0: no such block device", 200+missing)) {
		t.Errorf("Set(throttle of a missing device) = %v, want a no such block device error", err)
	}
	if got, _ := readFile(d, "blkio.throttle.read_bps_device"); got != files["blkio.throttle.read_bps_device"] {
		t.Errorf("blkio.throttle.read_bps_device = %q after a refused Set, want it unchanged", got)
	}
}

// TestSetHugetlb: each huge page size of this kernel gets its limit,
// read back from the hugetlb files (a v1 hierarchy's, or the cgroup2
// directory's on a hybrid host whose kernel binds hugetlb there), the
// reservation limit too where there is one; a size the kernel does not
// have is refused and changes nothing.
func TestSetHugetlb(t *testing.T) {
	sizes, err := hugePageSizes()
	if err != nil || len(sizes) == 0 {
		t.Skipf("no huge page sizes here (%v)", err)
	}
	m := appliedV1(t)
	var limits []specs.LinuxHugepageLimit
	for i, s := range sizes {
		limits = append(limits, specs.LinuxHugepageLimit{Pagesize: s, Limit: uint64(i+1) * 1 << 30})
	}
	err = m.Set(&specs.LinuxResources{HugepageLimits: limits})
	v := m.(*v1)
	d, unified, derr := v.hugetlbDir()
	if derr != nil {
		if !errors.Is(err, ErrNoController) {
			t.Fatalf("Set(hugepageLimits) without a hugetlb controller = %v, want ErrNoController", err)
		}
		t.Skipf("no hugetlb controller here: %v", derr)
	}
	if err != nil {
		t.Fatal(err)
	}
	limit, rsvd := ".limit_in_bytes", ".rsvd.limit_in_bytes"
	if unified {
		limit, rsvd = ".max", ".rsvd.max"
	}
	for _, l := range limits {
		want := strconv.FormatUint(l.Limit, 10)
		if got, err := readFile(d, "hugetlb."+l.Pagesize+limit); err != nil || got != want {
			t.Errorf("hugetlb.%s%s = %q, %v; want %s", l.Pagesize, limit, got, err, want)
		}
		if exists(d, "hugetlb."+l.Pagesize+rsvd) {
			if got, _ := readFile(d, "hugetlb."+l.Pagesize+rsvd); got != want {
				t.Errorf("hugetlb.%s%s = %q, want %s", l.Pagesize, rsvd, got, want)
			}
		}
	}
	bad := append([]specs.LinuxHugepageLimit{{Pagesize: sizes[0], Limit: 1 << 20}}, specs.LinuxHugepageLimit{Pagesize: "3MB", Limit: 1 << 20})
	err = m.Set(&specs.LinuxResources{HugepageLimits: bad})
	if err == nil || !strings.Contains(err.Error(), `pageSize "3MB": this kernel has huge pages of`) {
		t.Errorf("Set(3MB pages) = %v, want an invalid pageSize error listing the sizes", err)
	}
	if got, _ := readFile(d, "hugetlb."+sizes[0]+limit); got != strconv.FormatUint(limits[0].Limit, 10) {
		t.Errorf("hugetlb.%s%s = %s after a refused Set, want it unchanged", sizes[0], limit, got)
	}
	for _, p := range []string{"2mb", "MB", "0MB", "2 MB", "2M"} {
		if err := validateResources(&specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: p}}}); err == nil {
			t.Errorf("validateResources accepted pageSize %q", p)
		}
	}
}

// The network test runs in a private mount namespace of its own, where
// it mounts a net_cls,net_prio hierarchy that the host (this one has
// them unmounted) does not see; the child is this test binary. The kernel
// keeps the net_cls,net_prio hierarchy after the unmount (it stays in
// /proc/cgroups and /proc/*/cgroup, empty and mounted nowhere); a later
// mount with the same options reuses it.
const netHierarchyEnv = "DEFERIO_CGROUPS_NET_HIERARCHY"

// TestSetNetwork: net_cls.classid and net_prio.ifpriomap read back what
// Set wrote; an interface that does not exist is refused before any
// write; without the hierarchies Set says the controller is missing.
func TestSetNetwork(t *testing.T) {
	requireRoot(t)
	mounts, err := ReadMounts()
	if err != nil {
		t.Fatal(err)
	}
	_, haveCls := mounts.V1["net_cls"]
	_, havePrio := mounts.V1["net_prio"]
	if os.Getenv(netHierarchyEnv) == "" && (!haveCls || !havePrio) {
		// The host lacks them: Set must say so and write nothing.
		m := appliedV1(t)
		err := m.Set(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: i64(77)}, Network: &specs.LinuxNetwork{ClassID: u32(0x100001)}})
		if !errors.Is(err, ErrNoController) || !strings.Contains(err.Error(), "net_cls controller is not mounted") {
			t.Errorf("Set(network.classID) without net_cls = %v, want ErrNoController", err)
		}
		if got, _ := readFile(m.Paths()["pids"], "pids.max"); got != "max" {
			t.Errorf("pids.max = %s after a refused Set, want max", got)
		}
		// Then the real thing, in a mount namespace with the hierarchies.
		cmd := exec.Command(os.Args[0], "-test.run=^TestSetNetwork$", "-test.v")
		cmd.Env = append(os.Environ(), netHierarchyEnv+"="+t.TempDir())
		cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestSetNetwork") {
			t.Errorf("in a mount namespace with net_cls,net_prio: %v\n%s", err, out)
		}
		return
	}
	if dir := os.Getenv(netHierarchyEnv); dir != "" && (!haveCls || !havePrio) {
		// Go made the mounts private when it unshared the namespace.
		if err := syscall.Mount("cgroup", dir, "cgroup", 0, "net_cls,net_prio"); err != nil {
			t.Skipf("unable to mount a net_cls,net_prio hierarchy: %v", err)
		}
		// Registered first, so it runs last: after the cgroup is
		// removed, or the hierarchy would outlive its mount.
		t.Cleanup(func() { _ = syscall.Unmount(dir, 0) })
	}
	ifaces, err := net.Interfaces()
	if err != nil || len(ifaces) == 0 {
		t.Fatalf("no interfaces: %v", err)
	}
	m := appliedV1(t)
	p := m.Paths()
	n := &specs.LinuxNetwork{ClassID: u32(0x100001)}
	for i, ifc := range ifaces {
		n.Priorities = append(n.Priorities, specs.LinuxInterfacePriority{Name: ifc.Name, Priority: uint32(10 + i)})
	}
	if err := m.Set(&specs.LinuxResources{Network: n}); err != nil {
		t.Fatal(err)
	}
	if got, err := readFile(p["net_cls"], "net_cls.classid"); err != nil || got != "1048577" {
		t.Errorf("net_cls.classid = %q, %v; want 1048577", got, err)
	}
	prio, err := readKeyValues(p["net_prio"], "net_prio.ifpriomap")
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range n.Priorities {
		if prio[pr.Name] != uint64(pr.Priority) {
			t.Errorf("net_prio.ifpriomap has %s %d, want %d", pr.Name, prio[pr.Name], pr.Priority)
		}
	}
	err = m.Set(&specs.LinuxResources{Network: &specs.LinuxNetwork{ClassID: u32(7), Priorities: []specs.LinuxInterfacePriority{{Name: "nosuchif0", Priority: 1}}}})
	if err == nil || !strings.Contains(err.Error(), `"nosuchif0": no such interface`) {
		t.Errorf("Set(priority of a missing interface) = %v, want a no such interface error", err)
	}
	if got, _ := readFile(p["net_cls"], "net_cls.classid"); got != "1048577" {
		t.Errorf("net_cls.classid = %s after a refused Set, want it unchanged", got)
	}
}

func u32(v uint32) *uint32 { return &v }

// TestV2SetHugetlb: on cgroup v2 the limits go to hugetlb.SIZE.max (and
// .rsvd.max), read back; a size the kernel lacks is refused first. The
// cgroup2 hierarchy here offers hugetlb (the only controller the kernel
// does not bind to v1); where it does not, Set must say so.
func TestV2SetHugetlb(t *testing.T) {
	sizes, err := hugePageSizes()
	if err != nil || len(sizes) == 0 {
		t.Skipf("no huge page sizes here (%v)", err)
	}
	m := withSleeper(t, newV2Test(t))
	d := m.Paths()[unifiedKey]
	limits := []specs.LinuxHugepageLimit{{Pagesize: sizes[0], Limit: 2 << 30}} // a multiple of every page size
	err = m.Set(&specs.LinuxResources{HugepageLimits: limits})
	if have, _ := readFile(d, "cgroup.controllers"); !strings.Contains(have, "hugetlb") {
		if !errors.Is(err, ErrNoController) {
			t.Errorf("Set(hugepageLimits) without hugetlb = %v, want ErrNoController", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{".max", ".rsvd.max"} {
		if f == ".rsvd.max" && !exists(d, "hugetlb."+sizes[0]+f) {
			continue
		}
		if got, _ := readFile(d, "hugetlb."+sizes[0]+f); got != strconv.Itoa(2<<30) {
			t.Errorf("hugetlb.%s%s = %q, want %d", sizes[0], f, got, 2<<30)
		}
	}
	err = m.Set(&specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: sizes[0], Limit: 1 << 30}, {Pagesize: "3MB", Limit: 1}}})
	if err == nil || !strings.Contains(err.Error(), `"3MB"`) {
		t.Errorf("Set(3MB pages) = %v, want an invalid pageSize error", err)
	}
	if got, _ := readFile(d, "hugetlb."+sizes[0]+".max"); got != strconv.Itoa(2<<30) {
		t.Errorf("hugetlb.%s.max = %s after a refused Set, want it unchanged", sizes[0], got)
	}
}
