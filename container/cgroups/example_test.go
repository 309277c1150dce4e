package cgroups_test

import (
	"fmt"
	"strings"

	"github.com/deferio/deferio/container/cgroups"
)

// A hybrid host: v1 controllers, each in its own hierarchy, and a cgroup2
// hierarchy without controllers beside them.
func ExampleParseMountinfo() {
	table := `32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`
	m, err := cgroups.ParseMountinfo(strings.NewReader(table))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("cpu:    ", m.V1["cpu"])
	fmt.Println("cpuacct:", m.V1["cpuacct"])
	fmt.Println("memory: ", m.V1["memory"])
	fmt.Println("v1 controllers:", len(m.V1), "(name=systemd has none)")
	fmt.Println("cgroup2:", m.V2)
	// Output:
	// cpu:     /sys/fs/cgroup/cpu,cpuacct
	// cpuacct: /sys/fs/cgroup/cpu,cpuacct
	// memory:  /sys/fs/cgroup/memory
	// v1 controllers: 3 (name=systemd has none)
	// cgroup2: /sys/fs/cgroup/unified
}

// New checks the path before it looks at the host: a path that climbs out
// of the hierarchy is refused, and nothing is created.
func ExampleNew_badPath() {
	_, err := cgroups.New("/deferio/../../etc")
	fmt.Println(err)
	// Output:
	// invalid cgroup path "/deferio/../../etc": contains ".."
}
