package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func runLab(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{nil, "no verb"},
		{[]string{"frobnicate"}, `unknown verb "frobnicate"`},
		{[]string{"lesson"}, "one lesson ID"},
		{[]string{"lesson", "peer-nope"}, `no lesson "peer-nope"`},
		{[]string{"list", "x"}, "no arguments"},
		{[]string{"demo", "-bogus"}, "flag provided but not defined"},
		{[]string{"write", "-v", "3", "-src", "1.2.3.4:1", "-dst", "1.2.3.4:2"}, "version must be 1 or 2"},
		{[]string{"write", "-src", "nonsense", "-dst", "1.2.3.4:2"}, `-src "nonsense"`},
		{[]string{"write", "-v", "1", "-src", "[fe80::1%eth0]:1", "-dst", "[::1]:2"}, "IPv6 zone"},
		{[]string{"parse", "a", "b"}, "at most one FILE"},
	} {
		code, _, stderr := runLab(t, "", tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.msg) {
			t.Errorf("peerlab %q: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.msg)
		}
	}
}

func TestHelp(t *testing.T) {
	code, out, _ := runLab(t, "", "-h")
	if code != 0 || !strings.Contains(out, "demo") || !strings.Contains(out, "parse") {
		t.Errorf("-h: %d %q", code, out)
	}
}

func TestWriteThenParse(t *testing.T) {
	for _, v := range []string{"1", "2"} {
		code, hdr, stderr := runLab(t, "", "write", "-v", v, "-src", "203.0.113.7:51000", "-dst", "192.0.2.1:443")
		if code != 0 {
			t.Fatalf("write -v %s: %d %s", v, code, stderr)
		}
		code, out, stderr := runLab(t, hdr+"GET / HTTP/1.1\r\n", "parse")
		if code != 0 || !strings.Contains(out, "client      203.0.113.7:51000") || !strings.Contains(out, "(16 bytes of data follow)") {
			t.Errorf("parse of v%s: %d %q %q", v, code, out, stderr)
		}
	}
	code, out, _ := runLab(t, "", "write", "-hex", "-src", "203.0.113.7:51000", "-dst", "192.0.2.1:443")
	if code != 0 || strings.TrimSpace(out) != "0d0a0d0a000d0a515549540a2111000ccb007107c0000201c73801bb" {
		t.Errorf("write -hex: %q", out)
	}
	file := filepath.Join(t.TempDir(), "h.hex")
	os.WriteFile(file, []byte(out), 0o644)
	code, parsed, _ := runLab(t, "", "parse", "-hex", file)
	if code != 0 || !strings.Contains(parsed, "PROXY v2 PROXY INET/STREAM 203.0.113.7:51000 -> 192.0.2.1:443") {
		t.Errorf("parse -hex FILE: %d %q", code, parsed)
	}
	code, _, stderr := runLab(t, "PROXY TCP4 1.2.3.4 1.2.3.4 01 2\r\n", "parse")
	if code != 1 || !strings.Contains(stderr, "leading zero") {
		t.Errorf("invalid header: %d %q", code, stderr)
	}
}

func TestListAndOneLesson(t *testing.T) {
	code, out, _ := runLab(t, "", "list")
	for _, id := range []string{"peer-getpeername", "peer-proxy-protocol", "peer-policy", "peer-http", "peer-nat"} {
		if !strings.Contains(out, id) {
			t.Errorf("list lacks %s: %q", id, out)
		}
	}
	if code != 0 {
		t.Errorf("list: exit %d", code)
	}
	code, out, stderr := runLab(t, "", "lesson", "-loopback", "-no-color", "peer-getpeername")
	if code != 0 || !strings.Contains(out, "server: getpeername(fd)   127.0.0.11:") || strings.Contains(out, "\x1b[") {
		t.Errorf("lesson peer-getpeername: %d\n%s\n%s", code, out, stderr)
	}
}

// The built command runs the whole demo (in namespaces as root).
func TestBuiltDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := filepath.Join(t.TempDir(), "peerlab")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(t.Context(), bin, "demo", "-no-color").CombinedOutput()
	if err != nil {
		t.Fatalf("peerlab demo: %v\n%s", err, out)
	}
	for _, want := range []string{"[peer-getpeername]", "[peer-proxy-protocol]", "[peer-policy]", "[peer-http]", "[peer-nat]", "from PROXY v2"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	cmd := exec.Command(bin, "nope")
	if err := cmd.Run(); cmd.ProcessState.ExitCode() != 2 {
		t.Errorf("built peerlab nope: %v, want exit status 2", err)
	}
}
