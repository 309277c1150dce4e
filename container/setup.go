package container

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// setEarlyProcess applies what must happen while the host's /proc is still
// reachable: the OOM score.
func setEarlyProcess(p *specs.Process) error {
	if p.OOMScoreAdj != nil {
		if err := os.WriteFile("/proc/self/oom_score_adj", []byte(fmt.Sprint(*p.OOMScoreAdj)), 0); err != nil {
			return fmt.Errorf("unable to set oom_score_adj to %d: %w", *p.OOMScoreAdj, err)
		}
	}
	return nil
}

// setupProcess changes the identity of the calling thread to the
// process's: rlimits, bounding set, groups, gid, uid (keeping capabilities across
// the uid change), then the capability sets, no_new_privs and the working
// directory. It must run on the thread that will call execve.
func setupProcess(p *specs.Process) error {
	// As late as possible, since the limits bind init's own Go runtime
	// too (a small RLIMIT_AS would starve it), and while raising a hard
	// limit still has CAP_SYS_RESOURCE.
	if err := setRlimits(p.Rlimits); err != nil {
		return err
	}
	if p.Capabilities != nil {
		if err := dropBounding(p.Capabilities.Bounding); err != nil {
			return err
		}
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("unable to keep capabilities across setuid: %w", err)
	}
	u := p.User
	groups := make([]int, 0, len(u.AdditionalGids))
	for _, g := range u.AdditionalGids {
		groups = append(groups, int(g))
	}
	// syscall's Setgroups, Setresgid and Setresuid change every thread of
	// the process, as POSIX requires (x/sys/unix's change only one).
	if err := syscall.Setgroups(groups); err != nil && !(len(groups) == 0 && errors.Is(err, syscall.EPERM)) {
		return fmt.Errorf("unable to set additional groups %v: %w", groups, err)
	}
	if err := syscall.Setresgid(int(u.GID), int(u.GID), int(u.GID)); err != nil {
		return fmt.Errorf("unable to set gid %d: %w", u.GID, err)
	}
	if err := syscall.Setresuid(int(u.UID), int(u.UID), int(u.UID)); err != nil {
		return fmt.Errorf("unable to set uid %d: %w", u.UID, err)
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("unable to reset keepcaps: %w", err)
	}
	if p.Capabilities != nil {
		if err := setCapabilities(p.Capabilities); err != nil {
			return err
		}
	}
	if p.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("unable to set no_new_privs: %w", err)
		}
	}
	return enterCwd(p.Cwd)
}

// enterCwd changes to dir and checks that the result is inside the root.
// A leaked host descriptor and cwd=/proc/self/fd/N once put a container's
// process in a host directory (CVE-2024-21626). The check walks up from
// the new working directory with ".." (openat and fstat, which every
// seccomp profile allows, where getcwd(2) may be denied: a filter without
// no_new_privs is already loaded here) until it meets the root: from a
// directory outside the root it reaches the top of the host's tree first.
func enterCwd(dir string) error {
	if err := unix.Chdir(dir); err != nil {
		return fmt.Errorf("unable to change to the working directory %s: %w", dir, err)
	}
	if defenceOff("cwdcheck") {
		return nil
	}
	inside, err := cwdInsideRoot()
	if err != nil {
		return fmt.Errorf("unable to check the working directory %s: %w", dir, err)
	}
	if !inside {
		where := "unknown"
		buf := make([]byte, unix.PathMax)
		if n, err := unix.Getcwd(buf); err == nil {
			where = strings.TrimRight(string(buf[:n]), "\x00")
		}
		return fmt.Errorf("unable to use working directory %s: it is outside the container's root (%s)", dir, where)
	}
	return nil
}

// cwdInsideRoot reports whether the root directory is among the working
// directory and its ancestors.
func cwdInsideRoot() (bool, error) {
	var root unix.Stat_t
	if err := unix.Stat("/", &root); err != nil {
		return false, err
	}
	fd, err := unix.Open(".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, err
	}
	defer func() { unix.Close(fd) }()
	for {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return false, err
		}
		if st.Dev == root.Dev && st.Ino == root.Ino {
			return true, nil
		}
		up, err := unix.Openat(fd, "..", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return false, err
		}
		var ust unix.Stat_t
		if err := unix.Fstat(up, &ust); err != nil {
			unix.Close(up)
			return false, err
		}
		unix.Close(fd)
		fd = up
		if ust.Dev == st.Dev && ust.Ino == st.Ino {
			return false, nil // the top of a tree that is not the root
		}
	}
}

// closeExecFrom marks every descriptor from low up close-on-exec with
// close_range(2). A seccomp filter may already be loaded here (without
// no_new_privs it is loaded before the credentials change), and one written
// before Linux 5.9 does not know close_range and denies it, usually with
// EPERM (the runtime-tools and older Docker default profiles do); kernels
// before 5.11 refuse CLOSE_RANGE_CLOEXEC with EINVAL. Then it walks
// /proc/self/fd and sets FD_CLOEXEC on each descriptor with fcntl(2),
// which every profile allows.
func closeExecFrom(low int) error {
	err := unix.CloseRange(uint(low), ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	if err == nil || (err != unix.EPERM && err != unix.ENOSYS && err != unix.EINVAL) {
		return err
	}
	ents, rerr := os.ReadDir("/proc/self/fd")
	if rerr != nil {
		return fmt.Errorf("close_range: %w, and %w", err, rerr)
	}
	for _, e := range ents {
		fd, perr := strconv.Atoi(e.Name())
		if perr != nil || fd < low {
			continue
		}
		// The descriptor ReadDir used is closed by now: EBADF.
		if _, ferr := unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC); ferr != nil && ferr != unix.EBADF {
			return fmt.Errorf("close_range: %w; fcntl(%d, F_SETFD): %w", err, fd, ferr)
		}
	}
	return nil
}

// execProcess closes (marks close-on-exec) every descriptor above stdio,
// sets the parent death signal last (a credential change clears it), finds
// the program in the process's PATH and executes it.
func execProcess(p *specs.Process, pdeathsig int) error {
	if err := closeExecFrom(3); err != nil {
		return fmt.Errorf("unable to mark descriptors close-on-exec: %w", err)
	}
	if err := setPdeathsig(pdeathsig); err != nil {
		return err
	}
	path, err := lookPath(p.Args[0], p.Env)
	if err != nil {
		return err
	}
	if err := seccompBeforeExec(); err != nil {
		return err
	}
	if err := unix.Exec(path, p.Args, p.Env); err != nil {
		return fmt.Errorf("unable to execute %s: %w", path, err)
	}
	return nil
}

// lookPath finds name in the PATH of env (not the runtime's PATH).
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		full := filepath.Join(dir, name)
		fi, err := os.Stat(full)
		if err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return full, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, unix.ENOTDIR) {
			continue
		}
	}
	return "", fmt.Errorf("unable to find %q in the container's PATH %s", name, path)
}

// setPdeathsig sets the parent death signal, if any. A credential change
// clears it, so it comes after setupProcess.
func setPdeathsig(sig int) error {
	if sig == 0 {
		return nil
	}
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(sig), 0, 0, 0); err != nil {
		return fmt.Errorf("unable to set the parent death signal: %w", err)
	}
	return nil
}
