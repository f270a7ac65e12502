//go:build unix

package cli

import (
	"os"
	"path/filepath"
)

// standardStream is the standard output or error that path names
// (/dev/stdout, /dev/fd/1, /proc/self/fd/1, and their stderr's), and nil
// for any other path. Export writes it as the shell set it up, as a
// shell's redirection does: resolving the name instead would reach a
// pipe's pseudo-name, which names no file, or the file the shell opened,
// replaced whole even where the shell appends to it (>>).
func standardStream(path string) *os.File {
	switch filepath.Clean(path) {
	case "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1":
		return os.Stdout
	case "/dev/stderr", "/dev/fd/2", "/proc/self/fd/2":
		return os.Stderr
	}
	return nil
}
