package cli

import (
	"context"
	"errors"
	"fmt"
)

// Run executes the command line args (without the program name) and
// returns its exit code: ExitOK, ExitDrift, ExitUsage or ExitAWS (for an AWS
// or a database call), and
// ExitInterrupted for a command that failed after ctx ended. Errors are
// written to cfg.Stderr, as errorText words them.
func Run(ctx context.Context, cfg Config, args []string) int {
	cfg.setDefaults()
	root := NewCommand(cfg)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(cfg.Stderr, "Error: %s\n", errorText(err))
	if _, ok := errors.AsType[*ExitError](err); !ok && ctx.Err() == nil {
		fmt.Fprintf(cfg.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	if ctx.Err() != nil {
		return ExitInterrupted
	}
	return exitCode(err)
}
