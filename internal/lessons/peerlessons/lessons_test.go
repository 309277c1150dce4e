package peerlessons

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessontest"
	"github.com/deferio/deferio/procx/peer/peertest"
)

func TestLessonsValidate(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range Lessons() {
		if err := l.Validate(); err != nil {
			t.Error(err)
		}
		if l.Topic != "peer" || !strings.HasPrefix(l.ID, "peer-") || seen[l.ID] {
			t.Errorf("lesson %q: topic %q, or a duplicate ID", l.ID, l.Topic)
		}
		seen[l.ID] = true
	}
}

func run(t *testing.T, id string, root bool) string {
	t.Helper()
	l, err := lesson.Find(Lessons(), id)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := lesson.Run(t.Context(), &buf, l, lesson.Options{IsRoot: &root}); err != nil {
		t.Fatalf("lesson %s: %v\n%s", id, err, buf.String())
	}
	return buf.String()
}

func wantLines(t *testing.T, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(out) {
			t.Errorf("output lacks %q:\n%s", p, out)
		}
	}
}

// The chain lessons print addresses with ports the kernel chose, so
// their key lines are checked, on loopback and (as root) in namespaces.
func TestChainLessons(t *testing.T) {
	for _, ns := range []bool{false, true} {
		if ns && peertest.Missing(false) != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI must run as root with iproute2: %v", peertest.Missing(false))
			}
			t.Logf("namespaces skipped: %v", peertest.Missing(false))
			continue
		}
		SetLoopback(!ns)
		client, back := `127\.0\.0\.2`, `127\.0\.0\.11`
		if ns {
			client, back = `10\.200\.1\.2`, `10\.200\.2\.1`
		}
		out := run(t, "peer-getpeername", true)
		wantLines(t, out,
			`client connected from +`+client+`:\d+`,
			`server: c\.RemoteAddr\(\) +`+back+`:\d+`,
			`server: getpeername\(fd\) +`+back+`:\d+`,
			`=> client `+back+`:\d+ from getpeername`,
			`peer\.Getpeername\(c\.\(syscall\.Conn\)\)`, // the snippet
		)
		out = run(t, "peer-proxy-protocol", true)
		wantLines(t, out,
			`"PROXY TCP4 203\.0\.113\.7 192\.0\.2\.1 51000 443\\r\\n"`,
			`0000  0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a 21 11 00 0c`,
			`server: getpeername\(fd\) +`+back+`:\d+`,
			`server: header +PROXY v1 PROXY INET/STREAM `+client+`:\d+`,
			`server: header +PROXY v2 PROXY INET/STREAM `+client+`:\d+`,
			`server: peer\.Conn RemoteAddr `+client+`:\d+`,
			`=> client `+client+`:\d+ from PROXY v2`,
		)
	}
	SetLoopback(false)
}

// The HTTP lesson runs on loopback (the lying client must reach the
// server directly).
func TestHTTPLesson(t *testing.T) {
	out := run(t, "peer-http", true)
	wantLines(t, out,
		`X-Forwarded-For as received: "6\.6\.6\.6"\n`,
		`not a trusted proxy: X-Forwarded-For ignored`,
		`X-Forwarded-For as received: "6\.6\.6\.6, 127\.0\.0\.2"`,
		`=> client 127\.0\.0\.2:\d+ from getpeername`,
		`=> client 127\.0\.0\.2:0 from X-Forwarded-For`,
	)
	if strings.Contains(out, "=> client 6.6.6.6") {
		t.Errorf("the spoofed address was believed:\n%s", out)
	}
}

// The policy lesson is deterministic: a golden file.
func TestPolicyLessonGolden(t *testing.T) {
	out := run(t, "peer-policy", false)
	lessontest.Compare(t, out, filepath.Join("testdata", "peer-policy.golden"))
}

func TestNATLesson(t *testing.T) {
	if err := peertest.Missing(true); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must run as root with iproute2 and iptables: %v", err)
		}
		out := run(t, "peer-nat", false)
		wantLines(t, out, `needs root`)
		t.Skipf("live run needs root: %v", err)
	}
	out := run(t, "peer-nat", true)
	wantLines(t, out,
		`REDIRECT: the client \(10\.200\.3\.1:\d+\) dials 10\.200\.3\.2:80`,
		`\* destination SO_ORIGINAL_DST +10\.200\.3\.2:80 +\[rewritten by NAT\]`,
		`getsockname +10\.200\.3\.2:9000`,
		`=> client 10\.200\.3\.1:\d+ from getpeername; destination 192\.0\.2\.80:8080 from SO_ORIGINAL_DST`,
		`=> client 10\.200\.3\.1:\d+ from getpeername; destination 198\.51\.100\.7:80 from TPROXY`,
	)
	// As non-root, the runner prints the notes instead.
	out = run(t, "peer-nat", false)
	wantLines(t, out, `needs root`, `SO_ORIGINAL_DST`)
}
