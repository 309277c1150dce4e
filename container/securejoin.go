package container

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// secureJoin resolves unsafe inside root as if root were "/": symbolic
// links are followed by hand, an absolute link restarts at root, and ".."
// never climbs above root. The result is a host path that stays inside
// root at the moment of the call, which is what a mount target must be
// (a spec mount over /etc/x -> /../../host would otherwise mount on the
// host). Components that do not exist yet are joined as they are.
func secureJoin(root, unsafe string) (string, error) {
	const maxLinks = 255
	root = filepath.Clean(root)
	var resolved string // relative to root, always clean, never with ..
	rest := unsafe
	links := 0
	for rest != "" {
		var part string
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		} else {
			part, rest = rest, ""
		}
		switch part {
		case "", ".":
			continue
		case "..":
			resolved = filepath.Dir("/" + resolved)[1:]
			continue
		}
		next := filepath.Join(resolved, part)
		fi, err := os.Lstat(filepath.Join(root, next))
		if errors.Is(err, fs.ErrNotExist) {
			resolved = next
			continue
		}
		if err != nil {
			return "", fmt.Errorf("unable to resolve %s inside %s: %w", unsafe, root, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		links++
		if links > maxLinks {
			return "", fmt.Errorf("unable to resolve %s inside %s: too many symbolic links", unsafe, root)
		}
		target, err := os.Readlink(filepath.Join(root, next))
		if err != nil {
			return "", fmt.Errorf("unable to read link %s: %w", next, err)
		}
		if filepath.IsAbs(target) {
			resolved = ""
		}
		rest = target + "/" + rest
	}
	return filepath.Join(root, resolved), nil
}
