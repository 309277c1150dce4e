package main

import (
	"flag"
	"strings"

	"github.com/deferio/deferio/container"
)

// portList is a repeatable -p/--publish flag.
type portList []container.Port

func (l *portList) String() string {
	s := make([]string, len(*l))
	for i, p := range *l {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

func (l *portList) Set(v string) error {
	p, err := container.ParsePort(v)
	if err != nil {
		return err
	}
	*l = append(*l, p)
	return nil
}

// netFlags adds --network, -p/--publish and --proxy-protocol to fs and
// returns the function that applies them to a loaded bundle's
// configuration, over what its annotations asked for.
func netFlags(fs *flag.FlagSet) func(*container.Config) error {
	network := fs.String("network", "", "a veth pair to the host: addr=CIDR,host=CIDR[,gw=IP][,mtu=N][,name=IF][,hostname=IF] (addr and host repeatable)")
	var ports portList
	fs.Var(&ports, "publish", "publish [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp] (repeatable)")
	fs.Var(&ports, "p", "short for --publish")
	proxy := fs.String("proxy-protocol", "", "PROXY header the port forwarder sends: none, v1 or v2 (default v2)")
	return func(cfg *container.Config) error {
		if *network != "" {
			n, err := container.ParseNetwork(*network)
			if err != nil {
				return usagef("--network: %v", err)
			}
			cfg.Network = n
		}
		if len(ports) > 0 {
			cfg.Ports = append([]container.Port(nil), ports...)
		}
		if *proxy != "" {
			v, err := container.ParseProxy(*proxy)
			if err != nil {
				return usagef("--proxy-protocol: %v", err)
			}
			for i := range cfg.Ports {
				cfg.Ports[i].Proxy = v
			}
		}
		return nil
	}
}
