package cgroups

import (
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// hybridMountinfo is this project's machines' cgroup mounts, as read from
// /proc/self/mountinfo, plus a second (bind) mount of memory and an
// escaped mount point.
const hybridMountinfo = `24 1 254:0 / / rw,relatime - ext4 /dev/vda rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
90 24 0:32 /sub /mnt/memory rw,relatime shared:4 - cgroup cgroup rw,memory
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/free\040zer rw,relatime - cgroup cgroup rw,freezer
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`

func TestParseMountinfo(t *testing.T) {
	m, err := ParseMountinfo(strings.NewReader(hybridMountinfo))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"cpu": "/sys/fs/cgroup/cpu", "cpuacct": "/sys/fs/cgroup/cpuacct", "cpuset": "/sys/fs/cgroup/cpuset",
		"memory": "/sys/fs/cgroup/memory", "devices": "/sys/fs/cgroup/devices", "freezer": "/sys/fs/cgroup/free zer",
	}
	if len(m.V1) != len(want) {
		t.Errorf("V1 = %v, want %v", m.V1, want)
	}
	for k, v := range want {
		if m.V1[k] != v {
			t.Errorf("V1[%q] = %q, want %q", k, m.V1[k], v)
		}
	}
	if len(m.Named) != 1 || m.Named["name=systemd"] != "/sys/fs/cgroup/systemd" {
		t.Errorf("Named = %v, want name=systemd only", m.Named)
	}
	if m.V2 != "/sys/fs/cgroup/unified" {
		t.Errorf("V2 = %q", m.V2)
	}
	co, err := ParseMountinfo(strings.NewReader("1 0 0:1 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"))
	if err != nil || co.V1["cpu"] != co.V1["cpuacct"] || co.V1["cpu"] == "" {
		t.Errorf("co-mounted cpu,cpuacct: %v, %v", co.V1, err)
	}
	unified, err := ParseMountinfo(strings.NewReader("1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n"))
	if err != nil || len(unified.V1) != 0 || unified.V2 != "/sys/fs/cgroup" {
		t.Errorf("pure v2 host: %+v, %v", unified, err)
	}
	for _, bad := range []string{"garbage", "1 2 3 / /x - cgroup", "x 0 0:1 / /a rw - cgroup cgroup rw", `1 0 0:1 / /a\04 rw - cgroup cgroup rw`} {
		if _, err := ParseMountinfo(strings.NewReader(bad + "\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("ParseMountinfo(%q) = %v, want an error naming line 1", bad, err)
		}
	}
}

func TestReadMountsHere(t *testing.T) {
	m, err := ReadMounts()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.V1) == 0 && m.V2 == "" {
		t.Fatalf("no cgroup hierarchy mounted: %+v", m)
	}
	for c, dir := range m.V1 {
		if _, err := os.Stat(dir + "/cgroup.procs"); err != nil {
			t.Errorf("%s hierarchy at %s: %v", c, dir, err)
		}
	}
}

func FuzzParseMountinfo(f *testing.F) {
	f.Add(hybridMountinfo)
	f.Add("1 0 0:1 / /a\\040b rw - cgroup2 cgroup2 rw\n")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMountinfo(strings.NewReader(s))
		if err != nil {
			return
		}
		for c := range m.V1 {
			if c == "" || strings.Contains(c, ",") {
				t.Fatalf("bad controller %q", c)
			}
		}
	})
}

func TestCleanPath(t *testing.T) {
	for in, want := range map[string]string{"/deferio/x": "/deferio/x", "deferio/x": "/deferio/x", "/a-b_c.d": "/a-b_c.d"} {
		if got, err := cleanPath(in); err != nil || got != want {
			t.Errorf("cleanPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"/deferio/x", "/a/../b", "a//b", "/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := cleanPath(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(p, "/") || p == "/" || strings.Contains(p, "//") || strings.HasSuffix(p, "/") {
			t.Fatalf("cleanPath(%q) accepted %q", s, p)
		}
		for _, e := range strings.Split(p[1:], "/") {
			if e == ".." || e == "." {
				t.Fatalf("cleanPath(%q) accepted %q", s, p)
			}
		}
	})
}

func TestParseBlkio(t *testing.T) {
	v1, err := parseBlkioV1("254:0 Read 0\n254:0 Write 16785408\n254:0 Total 16785408\nTotal 16785408\n")
	if err != nil || len(v1) != 3 || v1[1] != (BlkioEntry{254, 0, "Write", 16785408}) {
		t.Errorf("parseBlkioV1 = %v, %v", v1, err)
	}
	v2, err := parseBlkioV2("8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n")
	if err != nil || len(v2) != 2 || v2[0] != (BlkioEntry{8, 16, "Read", 1459200}) || v2[1].Value != 314773504 {
		t.Errorf("parseBlkioV2 = %v, %v", v2, err)
	}
	if _, err := parseBlkioV1("x:y Read 1\n"); err == nil {
		t.Error("parseBlkioV1 accepted a bad device")
	}
}

func TestValidateResources(t *testing.T) {
	ok := &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: i64(1 << 30), Swap: i64(-1), Reservation: i64(1 << 29)},
		CPU:     &specs.LinuxCPU{Shares: u64(1024), Quota: i64(-1), Period: u64(100000), Cpus: "0-1,3"},
		Pids:    &specs.LinuxPids{Limit: i64(-1)},
		Devices: []specs.LinuxDeviceCgroup{{Allow: false}, {Allow: true, Type: "c", Major: i64(1), Minor: i64(3), Access: "rw"}},
	}
	if err := validateResources(ok); err != nil {
		t.Errorf("valid resources rejected: %v", err)
	}
	// Every problem is reported, not just the first.
	err := validateResources(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: i64(-5)}, Pids: &specs.LinuxPids{Limit: i64(-2)}})
	if err == nil || !strings.Contains(err.Error(), "memory.limit -5") || !strings.Contains(err.Error(), "pids.limit -2") {
		t.Errorf("validateResources = %v, want both problems named", err)
	}
	for d, want := range map[specs.LinuxDeviceCgroup]string{
		{}:                                      "a *:* rwm",
		{Type: "b", Major: i64(8), Access: "r"}: "b 8:* r",
	} {
		if got, err := deviceRule(d); err != nil || got != want {
			t.Errorf("deviceRule(%+v) = %q, %v; want %q", d, got, err, want)
		}
	}
}

func FuzzParseStats(f *testing.F) {
	f.Add("254:0 Read 0\n254:0 Write 16785408\nTotal 16785408\n")
	f.Add("8:16 rbytes=1459200 wbytes=314773504 rios=192\n")
	f.Add("cache 4096\nrss 8192\nhierarchical_memory_limit 9223372036854771712\n")
	f.Add("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n")
	f.Fuzz(func(t *testing.T, s string) {
		// None may panic; what parses must be consistent.
		if kv, err := parseKeyValues(s, "fuzz"); err == nil {
			for k := range kv {
				if k == "" || strings.ContainsAny(k, " \t\n") {
					t.Fatalf("bad key %q", k)
				}
			}
		}
		if es, err := parseBlkioV1(s); err == nil {
			for _, e := range es {
				if e.Op == "" || e.Major > 1<<32 || e.Minor > 1<<32 {
					t.Fatalf("bad entry %+v", e)
				}
			}
		}
		if es, err := parseBlkioV2(s); err == nil {
			for _, e := range es {
				if e.Op != "Read" && e.Op != "Write" {
					t.Fatalf("bad op %+v", e)
				}
			}
		}
	})
}
