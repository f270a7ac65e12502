package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// parentCommand sets up cmd as a command that only groups subcommands:
// run alone it shows its help; an unknown subcommand is a usage error.
func parentCommand(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = runParent
	// The flags of a mistyped subcommand must not hide its name.
	cmd.FParseErrWhitelist = cobra.FParseErrWhitelist{UnknownFlags: true}
	cmd.SuggestionsMinimumDistance = 2
	return cmd
}

// runParent shows the help of a parent command run alone, and rejects an
// unknown subcommand with a usage error (exit 2) that names it and lists
// the parent's commands.
func runParent(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	hint := ""
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		hint = fmt.Sprintf(" (did you mean %q?)", s[0])
	}
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	list := strings.Join(names, ", ")
	if i := strings.LastIndex(list, ", "); i >= 0 {
		list = list[:i] + " and " + list[i+2:]
	}
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf("unknown command %q for %q%s; its commands are %s: run `%s --help`",
		args[0], cmd.CommandPath(), hint, list, cmd.CommandPath())}
}
