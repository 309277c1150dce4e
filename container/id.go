package container

import (
	"errors"
	"fmt"
)

// MaxIDLength is the longest container ID accepted.
const MaxIDLength = 1024

// ErrInvalidID is wrapped by the error that [ValidateID] returns.
var ErrInvalidID = errors.New("invalid container ID")

// ValidateID reports whether id may name a container: 1 to [MaxIDLength]
// characters among ASCII letters, digits, '_', '-' and '.', and never "." or
// "..", so that an ID is always one plain name inside the state root and
// never a path. It is checked before anything touches the disk.
func ValidateID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: it is empty", ErrInvalidID)
	}
	if len(id) > MaxIDLength {
		return fmt.Errorf("%w: it is %d characters long, more than %d", ErrInvalidID, len(id), MaxIDLength)
	}
	if id == "." || id == ".." {
		return fmt.Errorf("%w: %q is a path, not a name", ErrInvalidID, id)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return fmt.Errorf("%w: %q has %q at byte %d (allowed: letters, digits, _ - .)", ErrInvalidID, id, c, i)
		}
	}
	return nil
}
