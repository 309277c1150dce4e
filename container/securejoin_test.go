package container

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecureJoin(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.Symlink("/../../../host", filepath.Join(root, "etc", "abs"))
	os.Symlink("../../..", filepath.Join(root, "etc", "rel"))
	os.Symlink("loop", filepath.Join(root, "loop"))
	cases := map[string]string{
		"/etc/hosts":      "/etc/hosts",
		"/../../etc":      "/etc",
		"/etc/abs/x":      "/host/x",
		"/etc/rel/tmp":    "/tmp",
		"etc/./rel/../..": "/",
	}
	for in, want := range cases {
		got, err := secureJoin(root, in)
		if err != nil {
			t.Errorf("secureJoin(%q): %v", in, err)
			continue
		}
		if got != filepath.Join(root, want) {
			t.Errorf("secureJoin(%q) = %s, want %s", in, got, filepath.Join(root, want))
		}
	}
	if _, err := secureJoin(root, "/loop/x"); err == nil || !strings.Contains(err.Error(), "too many symbolic links") {
		t.Errorf("a link loop: %v, want too many symbolic links", err)
	}
}

func FuzzSecureJoin(f *testing.F) {
	root := f.TempDir()
	os.MkdirAll(filepath.Join(root, "a", "b"), 0o755)
	os.Symlink("/../..", filepath.Join(root, "a", "up"))
	os.Symlink("../../../..", filepath.Join(root, "a", "b", "rel"))
	for _, s := range []string{"/a/up/x", "a/b/rel/y", "../../z", "/a/b/../../.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got, err := secureJoin(root, p)
		if err != nil {
			return
		}
		if got != root && !strings.HasPrefix(got, root+"/") {
			t.Fatalf("secureJoin(%q) = %s, outside %s", p, got, root)
		}
	})
}
