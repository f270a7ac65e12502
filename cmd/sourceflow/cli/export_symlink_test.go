//go:build unix

package cli_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// stickyDir is a new directory that anyone may write to, sticky as /tmp.
func stickyDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "shared")
	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.Chmod(dir, 0o777|os.ModeSticky)) // #nosec G302 -- a shared directory as /tmp is
	return dir
}

// -o naming one's own link in a sticky, world-writable directory writes
// the link's target, as before.
func TestExport_FollowsOnesOwnLinkInAStickyDirectory(t *testing.T) {
	topo := writeTopology(t, paymentsBinding(), topology.Options{})
	target := filepath.Join(t.TempDir(), "main.tf")
	require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))
	link := filepath.Join(stickyDir(t), "out.tf")
	require.NoError(t, os.Symlink(target, link))

	_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", topo, "-o", link)

	require.Equal(t, cli.ExitOK, code, errOut)
	written, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Contains(t, string(written), `resource "aws_sqs_queue" "payments_fifo"`)
}

// -o naming another user's link in a sticky, world-writable directory is
// refused, and the file it names is left as it was: the kernel would not
// follow that link for the caller.
func TestExport_RefusesAnotherUsersLinkInAStickyDirectory(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root may give a link another owner")
	}
	topo := writeTopology(t, paymentsBinding(), topology.Options{})
	target := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))
	link := filepath.Join(stickyDir(t), "out.tf")
	require.NoError(t, os.Symlink(target, link))
	require.NoError(t, os.Lchown(link, 65534, 65534))

	_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", topo, "-o", link)

	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, "the symbolic link "+link+" belongs to user 65534")
	assert.Contains(t, errOut, "protected_symlinks")
	kept, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "old", string(kept))
}

// -o naming a file under another user's link to a directory, in a sticky,
// world-writable directory, is refused and nothing is written where the
// link points.
func TestExport_RefusesADirectoryLinkOfAnotherUserInAStickyDirectory(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root may give a link another owner")
	}
	topo := writeTopology(t, paymentsBinding(), topology.Options{})
	target := t.TempDir()
	link := filepath.Join(stickyDir(t), "x")
	require.NoError(t, os.Symlink(target, link))
	require.NoError(t, os.Lchown(link, 65534, 65534))

	_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", topo, "-o", filepath.Join(link, "out.tf"))

	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, "the symbolic link "+link+" belongs to user 65534")
	_, err := os.Lstat(filepath.Join(target, "out.tf"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// -o naming a file under one's own link in a sticky, world-writable
// directory that points at another user's link to a directory there is
// refused, as the kernel refuses the second link, and nothing is written
// where that link points.
func TestExport_RefusesAnotherUsersLinkReachedThroughOnesOwnDirectoryLink(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root may give a link another owner")
	}
	topo := writeTopology(t, paymentsBinding(), topology.Options{})
	target := t.TempDir()
	shared := stickyDir(t)
	theirs := filepath.Join(shared, "theirs")
	require.NoError(t, os.Symlink(target, theirs))
	require.NoError(t, os.Lchown(theirs, 65534, 65534))
	mine := filepath.Join(shared, "mine")
	require.NoError(t, os.Symlink("theirs", mine))

	_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", topo, "-o", filepath.Join(mine, "out.tf"))

	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, "the symbolic link "+theirs+" belongs to user 65534")
	_, err := os.Lstat(filepath.Join(target, "out.tf"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// -o naming a file through links one owns or that are outside a sticky
// directory, given relative or absolute, writes where they lead.
func TestExport_FollowsOnesOwnChainOfDirectoryLinks(t *testing.T) {
	topo := writeTopology(t, paymentsBinding(), topology.Options{})
	target := t.TempDir()
	shared := stickyDir(t)
	require.NoError(t, os.Symlink(target, filepath.Join(shared, "second")))
	require.NoError(t, os.Symlink("./second/", filepath.Join(shared, "first")))
	t.Chdir(shared)

	_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", topo, "-o", "first/out.tf")

	require.Equal(t, cli.ExitOK, code, errOut)
	written, err := os.ReadFile(filepath.Join(target, "out.tf"))
	require.NoError(t, err)
	assert.Contains(t, string(written), `resource "aws_sqs_queue" "payments_fifo"`)
}
