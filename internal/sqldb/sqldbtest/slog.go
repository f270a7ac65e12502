package sqldbtest

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
)

// SlogLines is what slog.Default() was given during a test
// (CaptureSlogDefault), in slog's text format, safe to read while
// goroutines log.
type SlogLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (s *SlogLines) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// String returns every line written so far.
func (s *SlogLines) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// CaptureSlogDefault makes slog.Default() a text logger at slog's default
// level (Info) writing to the returned lines until the test ends, then
// restores the previous one. It swaps the process's default logger: a
// test using it must not run in parallel.
func CaptureSlogDefault(t testing.TB) *SlogLines {
	t.Helper()
	lines := &SlogLines{}
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(lines, nil)))
	t.Cleanup(func() { slog.SetDefault(previous) })
	return lines
}
