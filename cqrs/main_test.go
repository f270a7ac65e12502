package cqrs_test

import (
	"log/slog"
	"os"
	"testing"
)

// TestMain runs the package's tests with slog.Default() discarding what it
// is given: they dead-letter tens of thousands of messages on purpose, which
// the transports' default Logger logs there, and a failure's output would
// drown in them. A test reading the default Logger's lines swaps in its own
// (captureSlogDefault).
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}
