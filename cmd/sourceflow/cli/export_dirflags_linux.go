package cli

import "golang.org/x/sys/unix"

// dirOpenFlags opens a directory -o is resolved through, as the kernel
// walks it: O_PATH needs only search permission on it (a home directory of
// mode 0711 may be passed through), and its descriptor still serves the
// *at calls, Fstat, and renaming and unlinking in it.
const dirOpenFlags = unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC
