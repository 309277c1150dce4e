package compiler

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/deferio/deferio/internal/gorun"
)

// Options say what [Build] builds and how.
type Options struct {
	// Dir is where the go command runs; "" is the current directory.
	// Relative file names in the report are made absolute against it.
	Dir string
	// Env is the go command's environment; nil means os.Environ().
	Env []string
	// Go is the go command; "" means the one [gorun.GoTool] finds.
	Go string
	// Patterns are the packages to build ("./...", "std", ".").
	Patterns []string
	// Scope is the package pattern the compiler flags apply to, as in
	// -gcflags=PATTERN=FLAGS; "" means the packages Patterns name.
	// Only these packages are salted and reported on.
	Scope string
	// GCFlags are more compiler flags, such as "-l" or "-N".
	GCFlags []string
	// Debug are more -d settings joined to -d=defer, such as
	// "noopendefer=1".
	Debug []string
	// Race builds with -race.
	Race bool
	// Output is go build's -o: a file, a directory ending in a path
	// separator, or os.DevNull to compile and discard.
	Output string
	// All builds with -a: every dependency is compiled (and reported
	// on) too, and nothing needs a salt.
	All bool
}

// A BuildError is a go build that failed.
type BuildError struct {
	Err error
	// Output is what go build printed.
	Output []byte
	// Other are the lines of Output that are neither defer lines nor
	// "# pkg" headers: the compile errors.
	Other []string
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("go build: %v\n%s", e.Err, e.Output)
}

func (e *BuildError) Unwrap() error { return e.Err }

// Build runs go build with -gcflags=-d=defer on opts.Patterns in
// opts.Dir, after salting the packages it reports on so that none comes
// from the build cache (see the package comment), and returns the
// compiler's report. A build that fails is a [*BuildError]; a failure to
// list the packages, or to run the go command at all, is another error.
func Build(ctx context.Context, opts Options) (*Output, error) {
	gotool := opts.Go
	if gotool == "" {
		var err error
		if gotool, err = gorun.GoTool(); err != nil {
			return nil, err
		}
	}
	dir, err := filepath.Abs(cmp.Or(opts.Dir, "."))
	if err != nil {
		return nil, fmt.Errorf("unable to resolve directory %q: %w", opts.Dir, err)
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	args := []string{"build"}
	if opts.All {
		args = append(args, "-a")
	} else {
		tmp, err := os.MkdirTemp("", "deferio-salt-")
		if err != nil {
			return nil, fmt.Errorf("unable to create a directory for the salted files: %w", err)
		}
		defer os.RemoveAll(tmp)
		overlay, err := salt(ctx, gotool, dir, env, opts, tmp)
		if err != nil {
			return nil, err
		}
		args = append(args, "-overlay", overlay)
	}
	if opts.Output != "" {
		args = append(args, "-o", opts.Output)
	}
	args = append(args, "-gcflags="+gcflags(opts))
	cmd := gocmd(ctx, gotool, dir, env, append(args, opts.packages(opts.Patterns)...))
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return nil, fmt.Errorf("unable to run go build: %w", err)
		}
		be := &BuildError{Err: err, Output: out.Bytes()}
		if o, _ := Parse(out.Bytes(), dir); o != nil {
			be.Other = o.Other
		}
		return nil, be
	}
	o, err := Parse(out.Bytes(), dir)
	if err != nil {
		return nil, fmt.Errorf("unable to read the compiler's report: %w", err)
	}
	return o, nil
}

// gocmd returns the go command with args, run in dir with env.
func gocmd(ctx context.Context, gotool, dir string, env, args []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, gotool, args...)
	cmd.Dir = dir
	cmd.Env = env
	return cmd
}

// packages returns the last arguments of go build or go list: the flags
// that choose files (-race), then the patterns.
func (opts Options) packages(patterns []string) []string {
	var args []string
	if opts.Race {
		args = append(args, "-race")
	}
	return append(append(args, "--"), patterns...)
}

// gcflags returns the value of go build's -gcflags.
func gcflags(opts Options) string {
	flags := strings.Join(append(append([]string{}, opts.GCFlags...), strings.Join(append([]string{"-d=defer"}, opts.Debug...), ",")), " ")
	if opts.Scope != "" {
		return opts.Scope + "=" + flags
	}
	return flags
}

// salt lists the packages opts reports on, writes into tmp a salted copy
// of one Go file of each and an overlay that puts the copies in place of
// the files, and returns the overlay's path.
func salt(ctx context.Context, gotool, dir string, env []string, opts Options, tmp string) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("unable to make a cache salt: %w", err)
	}
	comment := "\n// deferio build salt " + hex.EncodeToString(b) + "\n"
	reported := opts.Patterns
	if opts.Scope != "" {
		reported = []string{opts.Scope}
	}
	cmd := gocmd(ctx, gotool, dir, env, append([]string{"list", "-e", "-json=Dir,GoFiles,CgoFiles,Error"}, opts.packages(reported)...))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	listed, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("unable to list the packages in %s: %w\n%s", dir, err, stderr.Bytes())
	}
	replace := map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(listed))
	for i := 0; ; i++ {
		var p struct {
			Dir               string
			GoFiles, CgoFiles []string
			Error             *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", fmt.Errorf("unable to read go list's output: %w", err)
		}
		files := append(p.GoFiles, p.CgoFiles...)
		if len(files) == 0 {
			if p.Error != nil {
				return "", fmt.Errorf("unable to list the packages in %s: %s", dir, p.Error.Err)
			}
			continue // nothing to build: a package of tests only
		}
		// A package that lists with an error and files is left to go
		// build, whose message says more.
		file := filepath.Join(p.Dir, files[0])
		src, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("unable to salt %s: %w", file, err)
		}
		salted := filepath.Join(tmp, fmt.Sprintf("%d.go", i))
		if err := os.WriteFile(salted, append(src, comment...), 0o644); err != nil {
			return "", fmt.Errorf("unable to salt %s: %w", file, err)
		}
		replace[file] = salted
	}
	js, err := json.Marshal(struct{ Replace map[string]string }{replace})
	if err != nil {
		return "", fmt.Errorf("unable to write the overlay: %w", err)
	}
	overlay := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlay, js, 0o644); err != nil {
		return "", fmt.Errorf("unable to write the overlay: %w", err)
	}
	return overlay, nil
}
