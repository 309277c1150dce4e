package container

import specs "github.com/opencontainers/runtime-spec/specs-go"

func ptr[T any](v T) *T { return &v }

// allowedDevices are the device cgroup rules every container gets after its
// configuration's own, as runc's specconv.AllowedDevices: the default
// devices, /dev/console, the ptys (/dev/ptmx and /dev/pts/*), /dev/tty.
// Without them a configuration that starts with "deny all" (the OCI
// runtime-tools default does) would stop init from creating /dev/null.
var allowedDevices = []specs.LinuxDeviceCgroup{
	{Allow: true, Type: "c", Major: ptr(int64(1)), Minor: ptr(int64(3)), Access: "rwm"},    // null
	{Allow: true, Type: "c", Major: ptr(int64(1)), Minor: ptr(int64(5)), Access: "rwm"},    // zero
	{Allow: true, Type: "c", Major: ptr(int64(1)), Minor: ptr(int64(7)), Access: "rwm"},    // full
	{Allow: true, Type: "c", Major: ptr(int64(1)), Minor: ptr(int64(8)), Access: "rwm"},    // random
	{Allow: true, Type: "c", Major: ptr(int64(1)), Minor: ptr(int64(9)), Access: "rwm"},    // urandom
	{Allow: true, Type: "c", Major: ptr(int64(5)), Minor: ptr(int64(0)), Access: "rwm"},    // tty
	{Allow: true, Type: "c", Major: ptr(int64(5)), Minor: ptr(int64(1)), Access: "rwm"},    // console
	{Allow: true, Type: "c", Major: ptr(int64(5)), Minor: ptr(int64(2)), Access: "rwm"},    // ptmx
	{Allow: true, Type: "c", Major: ptr(int64(136)), Minor: ptr(int64(-1)), Access: "rwm"}, // pts/*
}

// withDeviceRules returns r with the rules that the container's own
// devices need appended, when r has device rules at all.
func withDeviceRules(r *specs.LinuxResources, devices []specs.LinuxDevice) *specs.LinuxResources {
	if r == nil || len(r.Devices) == 0 {
		return r
	}
	out := *r
	out.Devices = append(append([]specs.LinuxDeviceCgroup(nil), r.Devices...), allowedDevices...)
	for _, d := range devices {
		typ := d.Type
		switch typ {
		case "u":
			typ = "c" // unbuffered character device: a "c" rule
		case "p":
			continue // FIFOs are not subject to the device cgroup
		}
		out.Devices = append(out.Devices, specs.LinuxDeviceCgroup{Allow: true, Type: typ, Major: ptr(d.Major), Minor: ptr(d.Minor), Access: "rwm"})
	}
	return &out
}
