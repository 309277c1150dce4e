package nsenter

// The environment variables read by the constructor (see nsenter.c).
const (
	// EnvJoin lists TYPE:PATH pairs to join, comma separated, in order.
	EnvJoin = "_DEFERIO_NSENTER"
	// EnvSync names a descriptor to read one byte from before joining.
	EnvSync = "_DEFERIO_NSENTER_SYNC"
	// EnvReport names a descriptor where "pid N" or "error TEXT" is written.
	EnvReport = "_DEFERIO_NSENTER_REPORT"
	// EnvFork asks for a fork after joining when it is "1".
	EnvFork = "_DEFERIO_NSENTER_FORK"
)
