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

// A relative -o is resolved from the current directory itself, as the
// kernel resolves it, not from a name for it ($PWD, reached through a
// link), and ".." after a link leads to the parent of where the link
// points: the template goes where a shell writing to -o would put it.
func TestExport_ResolvesDotDotAndARelativePathAsTheKernelDoes(t *testing.T) {
	topo := writeTopology(t, paymentsBinding(), topology.Options{})
	for name, tc := range map[string]struct {
		cwd    func(link string) string // the directory to run in
		output func(link string) string
	}{
		"relative, from a directory entered through a link": {
			func(link string) string { return link },
			func(string) string { return filepath.Join("..", "out.tf") }},
		"absolute, with .. after a link": {
			func(string) string { return "" },
			func(link string) string { return link + "/../out.tf" }}, // not cleaned, as Join would
	} {
		t.Run(name, func(t *testing.T) {
			real := t.TempDir()
			require.NoError(t, os.Mkdir(filepath.Join(real, "sub"), 0o700))
			elsewhere := t.TempDir()
			link := filepath.Join(elsewhere, "link")
			require.NoError(t, os.Symlink(filepath.Join(real, "sub"), link))
			if dir := tc.cwd(link); dir != "" {
				t.Chdir(dir) // sets $PWD to the link, as a shell's cd does
			}

			_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", topo, "-o", tc.output(link))

			require.Equal(t, cli.ExitOK, code, errOut)
			written, err := os.ReadFile(filepath.Join(real, "out.tf"))
			require.NoError(t, err)
			assert.Contains(t, string(written), `resource "aws_sqs_queue" "payments_fifo"`)
			_, err = os.Lstat(filepath.Join(elsewhere, "out.tf"))
			assert.ErrorIs(t, err, os.ErrNotExist, "nothing is written beside the link")
		})
	}
}

// A relative -o run in a directory entered through another user's link in
// a sticky, world-writable directory is written: the kernel resolves it
// from the current directory and meets no link.
func TestExport_WritesARelativePathInADirectoryEnteredThroughAnotherUsersLink(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root may give a link another owner")
	}
	topo := writeTopology(t, paymentsBinding(), topology.Options{})
	real := t.TempDir()
	link := filepath.Join(stickyDir(t), "work")
	require.NoError(t, os.Symlink(real, link))
	require.NoError(t, os.Lchown(link, 65534, 65534))
	t.Chdir(link)

	_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", topo, "-o", "out.tf")

	require.Equal(t, cli.ExitOK, code, errOut)
	written, err := os.ReadFile(filepath.Join(real, "out.tf"))
	require.NoError(t, err)
	assert.Contains(t, string(written), `resource "aws_sqs_queue" "payments_fifo"`)
}
