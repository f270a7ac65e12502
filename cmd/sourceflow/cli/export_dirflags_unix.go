//go:build unix && !linux

package cli

import "golang.org/x/sys/unix"

// dirOpenFlags opens a directory -o is resolved through; without Linux's
// O_PATH, it is opened to read, so one that may only be searched is
// refused (permission denied).
const dirOpenFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC
