package container

import (
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"net/netip"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Network links a container's new network namespace to the host with a
// veth pair, as the classic libcontainer's "veth" network strategy did:
// one end stays in the host's namespace, the other is created directly
// inside the container's, and both get addresses. A default route in the
// container points at the host end (or at Gateways), so the container
// reaches the host and, if the host forwards, beyond it.
//
// A bundle asks for it with the annotation [AnnotationNetwork]; see
// [ParseNetwork] for its syntax. The OCI format has no field for it, and
// annotations are where the specification puts a runtime's extensions:
// config.json stays valid for every other runtime.
type Network struct {
	// HostInterface names the host end; "" means "dv" and eight hex
	// digits of a hash of the container's id. At most 15 bytes.
	HostInterface string `json:"hostInterface,omitempty"`
	// Interface names the container's end; "" means eth0.
	Interface string `json:"interface,omitempty"`
	// MTU of both ends; 0 leaves the kernel's default (1500).
	MTU int `json:"mtu,omitempty"`
	// Addresses are the container end's addresses, with their prefix.
	Addresses []netip.Prefix `json:"addresses,omitempty"`
	// HostAddresses are the host end's.
	HostAddresses []netip.Prefix `json:"hostAddresses,omitempty"`
	// Gateways hold at most one address per family: the container's
	// default route for that family goes through it. A family with an
	// address on both ends and no gateway gets a default route through
	// the host end's address of that family.
	Gateways []netip.Addr `json:"gateways,omitempty"`
}

// AnnotationNetwork is the bundle annotation read by [Config.ApplyAnnotations]
// into Config.Network.
const AnnotationNetwork = "org.deferio.network"

// ParseNetwork parses the value of [AnnotationNetwork] (and of nsinit's
// --network flag): comma-separated key=value pairs, keys repeatable where
// a list is meant:
//
//	addr=10.89.0.2/24,host=10.89.0.1/24,addr=fd89::2/64,host=fd89::1/64,mtu=1400
//
// Keys: addr (container address), host (host address), gw (gateway), mtu,
// name (container interface), hostname (host interface). "veth" alone
// asks for the pair with no addresses.
func ParseNetwork(s string) (*Network, error) {
	n := &Network{}
	for _, kv := range strings.Split(s, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "veth" || kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("unable to parse network %q: %q is not key=value", s, kv)
		}
		var err error
		switch k {
		case "addr", "host":
			var p netip.Prefix
			if p, err = netip.ParsePrefix(v); err == nil {
				if k == "addr" {
					n.Addresses = append(n.Addresses, p)
				} else {
					n.HostAddresses = append(n.HostAddresses, p)
				}
			}
		case "gw":
			var a netip.Addr
			if a, err = netip.ParseAddr(v); err == nil {
				n.Gateways = append(n.Gateways, a)
			}
		case "mtu":
			n.MTU, err = strconv.Atoi(v)
		case "name":
			n.Interface = v
		case "hostname":
			n.HostInterface = v
		default:
			return nil, fmt.Errorf("unable to parse network %q: unknown key %q (known: addr, host, gw, mtu, name, hostname)", s, k)
		}
		if err != nil {
			return nil, fmt.Errorf("unable to parse network %q: %s: %w", s, k, err)
		}
	}
	return n, nil
}

// String gives n in the syntax of [ParseNetwork].
func (n *Network) String() string {
	parts := []string{"veth"}
	for _, p := range n.Addresses {
		parts = append(parts, "addr="+p.String())
	}
	for _, p := range n.HostAddresses {
		parts = append(parts, "host="+p.String())
	}
	for _, a := range n.Gateways {
		parts = append(parts, "gw="+a.String())
	}
	if n.MTU != 0 {
		parts = append(parts, "mtu="+strconv.Itoa(n.MTU))
	}
	if n.Interface != "" {
		parts = append(parts, "name="+n.Interface)
	}
	if n.HostInterface != "" {
		parts = append(parts, "hostname="+n.HostInterface)
	}
	return strings.Join(parts, ",")
}

// validate reports what is wrong with n.
func (n *Network) validate(bad func(string, ...any) error) []error {
	var errs []error
	for _, name := range []string{n.HostInterface, n.Interface} {
		if name != "" && (len(name) > unix.IFNAMSIZ-1 || strings.ContainsAny(name, "/ \t\n:") || name == "." || name == "..") {
			errs = append(errs, bad("network: %q is not an interface name (at most 15 bytes, no '/', ':' or spaces)", name))
		}
	}
	if n.MTU != 0 && (n.MTU < 68 || n.MTU > 65535) {
		errs = append(errs, bad("network: mtu %d is outside 68..65535", n.MTU))
	}
	if n.MTU != 0 && n.MTU < 1280 && hasFamily(n.Addresses, false) {
		errs = append(errs, bad("network: mtu %d is below IPv6's minimum of 1280", n.MTU))
	}
	seen := map[bool]bool{}
	for _, g := range n.Gateways {
		if seen[g.Is4()] {
			errs = append(errs, bad("network: two gateways for IPv%s", map[bool]string{true: "4", false: "6"}[g.Is4()]))
		}
		seen[g.Is4()] = true
		if !hasFamily(n.Addresses, g.Is4()) {
			errs = append(errs, bad("network: gateway %s has no container address of its family", g))
		}
	}
	for _, p := range append(append([]netip.Prefix{}, n.Addresses...), n.HostAddresses...) {
		if p.Addr().Zone() != "" || p.Addr().IsUnspecified() || p.Addr().IsMulticast() {
			errs = append(errs, bad("network: %s cannot be an interface address", p))
		}
	}
	return errs
}

func hasFamily(ps []netip.Prefix, v4 bool) bool {
	for _, p := range ps {
		if p.Addr().Is4() == v4 {
			return true
		}
	}
	return false
}

// hostInterface is the host end's name for container id.
func (n *Network) hostInterface(id string) string {
	if n.HostInterface != "" {
		return n.HostInterface
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("dv%08x", h.Sum32())
}

func (n *Network) iface() string {
	if n.Interface != "" {
		return n.Interface
	}
	return "eth0"
}

// gateway returns the container's default route for a family, if any.
func (n *Network) gateway(v4 bool) (netip.Addr, bool) {
	for _, g := range n.Gateways {
		if g.Is4() == v4 {
			return g, true
		}
	}
	if !hasFamily(n.Addresses, v4) {
		return netip.Addr{}, false
	}
	for _, p := range n.HostAddresses {
		if p.Addr().Is4() == v4 {
			return p.Addr(), true
		}
	}
	return netip.Addr{}, false
}

// ContainerAddr returns the container's first address of a family, the
// one published ports forward to.
func (n *Network) ContainerAddr(v4 bool) (netip.Addr, bool) {
	for _, p := range n.Addresses {
		if p.Addr().Is4() == v4 {
			return p.Addr(), true
		}
	}
	return netip.Addr{}, false
}

// setupNetwork creates the container's veth pair for init pid (whose
// network namespace exists already) and configures both ends. The host
// end's name is in the state before the pair exists, so that a runtime
// killed half-way leaves a record that delete --force follows; the
// container's end needs no undoing, since it goes with the namespace.
func (c *Container) setupNetwork(pid int) (err error) {
	n := c.state.Config.Network
	if n == nil {
		return nil
	}
	host := n.hostInterface(c.ID())
	if _, err := netlink.LinkByName(host); err == nil {
		return fmt.Errorf("unable to create the network of %s: the host already has an interface %s", c.ID(), host)
	}
	c.state.HostInterface = host
	if err := writeState(c.dir, c.state); err != nil {
		return err
	}
	veth := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: host, MTU: n.MTU},
		PeerName:      n.iface(),
		PeerMTU:       uint32(n.MTU),
		PeerNamespace: netlink.NsPid(pid),
	}
	if err := netlink.LinkAdd(veth); err != nil {
		c.state.HostInterface = "" // someone else's, or none
		if errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("unable to create the veth pair %s/%s of %s: an interface of that name exists: %w", host, n.iface(), c.ID(), err)
		}
		return fmt.Errorf("unable to create the veth pair %s/%s of %s: %w", host, n.iface(), c.ID(), err)
	}
	defer func() {
		if err != nil {
			if derr := deleteLink(host); derr != nil {
				err = fmt.Errorf("%w (and cleaning up: %w)", err, derr)
			} else {
				c.state.HostInterface = ""
			}
		}
	}()
	hl, err := netlink.LinkByName(host)
	if err != nil {
		return fmt.Errorf("unable to find the host end %s: %w", host, err)
	}
	hh, err := netlink.NewHandle()
	if err != nil {
		return fmt.Errorf("unable to talk netlink on the host: %w", err)
	}
	defer hh.Close()
	if err := configureLink(hh, hl, n.HostAddresses, nil); err != nil {
		return fmt.Errorf("unable to configure the host end %s: %w", host, err)
	}
	ns, err := netns.GetFromPid(pid)
	if err != nil {
		return fmt.Errorf("unable to open the network namespace of %s: %w", c.ID(), err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("unable to talk netlink in the network namespace of %s: %w", c.ID(), err)
	}
	defer h.Close()
	cl, err := h.LinkByName(n.iface())
	if err != nil {
		return fmt.Errorf("unable to find the container end %s: %w", n.iface(), err)
	}
	var routes []netip.Addr
	for _, v4 := range []bool{true, false} {
		if g, ok := n.gateway(v4); ok {
			routes = append(routes, g)
		}
	}
	if err := configureLink(h, cl, n.Addresses, routes); err != nil {
		return fmt.Errorf("unable to configure the container end %s of %s: %w", n.iface(), c.ID(), err)
	}
	tracef("start: veth %s/%s configured", host, n.iface())
	return writeState(c.dir, c.state)
}

// configureLink adds addrs to l (IPv6 ones without duplicate address
// detection, so they can be bound at once), brings it up and adds a
// default route through each gateway.
func configureLink(h *netlink.Handle, l netlink.Link, addrs []netip.Prefix, gateways []netip.Addr) error {
	for _, p := range addrs {
		a := &netlink.Addr{IPNet: &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}}
		if p.Addr().Is6() {
			a.Flags = unix.IFA_F_NODAD
		}
		if err := h.AddrAdd(l, a); err != nil {
			return fmt.Errorf("unable to add address %s: %w", p, err)
		}
	}
	if err := h.LinkSetUp(l); err != nil {
		return fmt.Errorf("unable to bring the link up: %w", err)
	}
	for _, g := range gateways {
		r := &netlink.Route{LinkIndex: l.Attrs().Index, Gw: g.AsSlice()}
		if err := h.RouteAdd(r); err != nil {
			return fmt.Errorf("unable to add the default route via %s: %w", g, err)
		}
	}
	return nil
}

// deleteLink removes the host's interface name; one that is gone already
// (its namespace's end went with the namespace) is not an error.
func deleteLink(name string) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("unable to find interface %s: %w", name, err)
	}
	if err := netlink.LinkDel(l); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("unable to delete interface %s: %w", name, err)
	}
	return nil
}

// InterfaceStats are one network interface's counters, as the kernel keeps
// them (/sys/class/net/IF/statistics, or IFLA_STATS64 over netlink).
type InterfaceStats struct {
	Name      string `json:"name"`
	RxBytes   uint64 `json:"rxBytes"`
	RxPackets uint64 `json:"rxPackets"`
	RxErrors  uint64 `json:"rxErrors"`
	RxDropped uint64 `json:"rxDropped"`
	TxBytes   uint64 `json:"txBytes"`
	TxPackets uint64 `json:"txPackets"`
	TxErrors  uint64 `json:"txErrors"`
	TxDropped uint64 `json:"txDropped"`
}

// InterfaceStats returns the counters of every interface in the container's
// network namespace (lo included), sorted by interface index, read over
// netlink inside that namespace. A container without a network namespace
// of its own has none: its interfaces are the host's.
func (c *Container) InterfaceStats() ([]InterfaceStats, error) {
	if c.state.Config.Spec == nil || !c.state.Config.newNamespace(specs.NetworkNamespace) {
		return nil, nil
	}
	if st := c.Status(); st != Running && st != Paused && st != Created {
		return nil, fmt.Errorf("unable to read the interfaces of %s: it is %s", c.ID(), st)
	}
	ns, err := netns.GetFromPid(c.state.Pid)
	if err != nil {
		return nil, fmt.Errorf("unable to open the network namespace of %s: %w", c.ID(), err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return nil, fmt.Errorf("unable to talk netlink in the network namespace of %s: %w", c.ID(), err)
	}
	defer h.Close()
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("unable to list the interfaces of %s: %w", c.ID(), err)
	}
	out := make([]InterfaceStats, 0, len(links))
	for _, l := range links {
		a := l.Attrs()
		s := InterfaceStats{Name: a.Name}
		if st := a.Statistics; st != nil {
			s.RxBytes, s.RxPackets, s.RxErrors, s.RxDropped = st.RxBytes, st.RxPackets, st.RxErrors, st.RxDropped
			s.TxBytes, s.TxPackets, s.TxErrors, s.TxDropped = st.TxBytes, st.TxPackets, st.TxErrors, st.TxDropped
		}
		out = append(out, s)
	}
	return out, nil
}

// loopbackUp brings up lo, the only interface of a new network namespace,
// which starts down (SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP).
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("unable to open a socket to configure lo: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return fmt.Errorf("unable to name lo: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("unable to read the flags of lo: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("unable to bring lo up: %w", err)
	}
	return nil
}
