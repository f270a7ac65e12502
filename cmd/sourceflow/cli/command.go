package cli

import "github.com/spf13/cobra"

// flagCommand completes cmd as a command that takes no arguments: running
// it calls run with what f holds once the flags are parsed. The caller adds
// the flags that fill f.
func flagCommand[F any](cmd *cobra.Command, f *F, run func(cmd *cobra.Command, f F) error) *cobra.Command {
	cmd.Args = cobra.NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return run(cmd, *f) }
	return cmd
}
