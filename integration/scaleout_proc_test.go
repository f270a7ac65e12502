//go:build integration

package integration

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// scaleoutProc is a child process of the scale-out test: its stdout lines
// are kept for the test to wait on, its stderr goes to a file that the test
// prints when it fails.
type scaleoutProc struct {
	name       string
	cmd        *exec.Cmd
	stderrPath string

	mu      sync.Mutex
	lines   []string
	at      []time.Time   // when each line was read
	changed chan struct{} // receives after every new line and at exit
	done    chan struct{} // closed once the process exited and stdout is read
	err     error         // the exit status, once done is closed
}

// startProcEnv starts bin with args and env added to the test's
// environment; t.Cleanup kills it if it still runs and, when the test
// failed, prints the tail of its stderr.
func startProcEnv(t *testing.T, env []string, bin, name string, args ...string) *scaleoutProc {
	t.Helper()
	p := &scaleoutProc{name: name, changed: make(chan struct{}, 1), done: make(chan struct{})}
	p.stderrPath = filepath.Join(t.TempDir(), name+".stderr")
	stderr, err := os.Create(p.stderrPath)
	if err != nil {
		t.Fatalf("create stderr file of %s: %v", name, err)
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), env...)
	// The child dies with the test process, even when a timeout panic skips
	// the cleanup below.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	p.cmd.Stderr = stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("stdout of %s: %v", name, err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go p.read(bufio.NewScanner(stdout), stderr)
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			p.printStdout(t)
			p.printStderr(t)
		}
	})
	return p
}

func (p *scaleoutProc) read(sc *bufio.Scanner, stderr *os.File) {
	for sc.Scan() {
		p.mu.Lock()
		p.lines = append(p.lines, sc.Text())
		p.at = append(p.at, time.Now())
		p.mu.Unlock()
		p.notify()
	}
	err := p.cmd.Wait()
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
	if cerr := stderr.Close(); cerr != nil && err == nil {
		p.mu.Lock()
		p.err = cerr
		p.mu.Unlock()
	}
	close(p.done)
	p.notify()
}

func (p *scaleoutProc) notify() {
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

// waitLine returns the first stdout line, from the from'th on, that match
// accepts, and its index; it fails the test when the process exits or the
// timeout passes first.
func (p *scaleoutProc) waitLine(t *testing.T, from int, timeout time.Duration, match func(string) bool) (string, int) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		lines := p.lines[min(from, len(p.lines)):]
		p.mu.Unlock()
		for i, l := range lines {
			if match(l) {
				return l, from + i
			}
		}
		from += len(lines)
		select {
		case <-p.changed:
		case <-p.done:
			if p.exited() && from >= p.lineCount() {
				t.Fatalf("%s exited (%v) before printing the awaited line", p.name, p.exitErr())
			}
		case <-deadline.C:
			t.Fatalf("%s printed no awaited line within %s", p.name, timeout)
		}
	}
}

// linesSince returns the lines read from the from'th on, with when each
// was read.
func (p *scaleoutProc) linesSince(from int) ([]string, []time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	from = min(from, len(p.lines))
	return append([]string(nil), p.lines[from:]...), append([]time.Time(nil), p.at[from:]...)
}

func (p *scaleoutProc) lineCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.lines)
}

func (p *scaleoutProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *scaleoutProc) exitErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// wait waits for the process to exit and returns its exit error; it fails
// the test after timeout.
func (p *scaleoutProc) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.exitErr()
	case <-time.After(timeout):
		t.Fatalf("%s still runs after %s", p.name, timeout)
		return nil
	}
}

// kill sends SIGKILL unless the process exited, and waits for it.
func (p *scaleoutProc) kill() {
	if !p.exited() {
		_ = p.cmd.Process.Signal(syscall.SIGKILL) // it may exit meanwhile; done tells
	}
	<-p.done
}

// stop sends SIGTERM and waits for a graceful exit.
func (p *scaleoutProc) stop(t *testing.T, timeout time.Duration) error {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !p.exited() {
		t.Fatalf("signal %s: %v", p.name, err)
	}
	return p.wait(t, timeout)
}

// printStdout logs the last stdout lines (the driver's progress, gave-up
// and mismatch lines), with when each was read.
func (p *scaleoutProc) printStdout(t *testing.T) {
	lines, at := p.linesSince(0)
	from := max(0, len(lines)-30)
	var b strings.Builder
	for i := from; i < len(lines); i++ {
		fmt.Fprintf(&b, "%s %s\n", at[i].Format("15:04:05.000"), lines[i])
	}
	t.Logf("%s stdout (last %d of %d lines):\n%s", p.name, len(lines)-from, len(lines), b.String())
}

func (p *scaleoutProc) printStderr(t *testing.T) {
	raw, err := os.ReadFile(p.stderrPath)
	if err != nil {
		t.Logf("%s: read stderr: %v", p.name, err)
		return
	}
	if len(raw) == 0 {
		t.Logf("%s stderr: (empty)", p.name)
		return
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	t.Logf("%s stderr (last %d of %d lines):\n%s", p.name, min(60, len(lines)), len(lines),
		strings.Join(lines[max(0, len(lines)-60):], "\n"))
}
