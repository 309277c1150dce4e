package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

var capNames = []string{
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid",
	"setpcap", "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw",
	"ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod",
	"lease", "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog",
	"wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
}

// decodeCaps turns a hexadecimal capability mask into names.
func decodeCaps(hex string) string {
	m, err := strconv.ParseUint(hex, 16, 64)
	if err != nil {
		return "?"
	}
	var out []string
	for i := 0; i < 64; i++ {
		if m&(1<<uint(i)) == 0 {
			continue
		}
		if i < len(capNames) {
			out = append(out, capNames[i])
		} else {
			out = append(out, fmt.Sprintf("cap_%d", i))
		}
	}
	if len(out) == 0 {
		return "(none)"
	}
	return strings.Join(out, ",")
}

// inspect prints the five capability sets of this process and the
// identity of each of its namespaces.
func inspect([]string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return fail("inspect", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb":
			fmt.Printf("%s %s %s\n", k, v, decodeCaps(v))
		case "NoNewPrivs", "Uid", "Gid":
			fmt.Printf("%s %s\n", k, strings.Join(strings.Fields(v), " "))
		}
	}
	for _, ns := range []string{"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"} {
		t, err := os.Readlink("/proc/self/ns/" + ns)
		if err != nil {
			t = "(" + err.Error() + ")"
		}
		fmt.Printf("ns %s %s\n", ns, t)
	}
	return 0
}
