package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// parentCommand sets up cmd as a command that only groups subcommands. Run
// alone (or with -h) it shows its help; anything else that reaches it, an
// unknown subcommand or flags with no subcommand before them, is a usage
// error naming its commands. Its flags are not parsed, so a mistyped
// subcommand's flags never hide its name.
func parentCommand(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.DisableFlagParsing = true
	cmd.SuggestionsMinimumDistance = 2
	cmd.RunE = runParent
	return cmd
}

func runParent(cmd *cobra.Command, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		return cmd.Help()
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
	if strings.HasPrefix(args[0], "-") {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%q needs a command before %s: one of %s; run `%s --help`",
			cmd.CommandPath(), args[0], list, cmd.CommandPath())}
	}
	hint := ""
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		hint = fmt.Sprintf(" (did you mean %q?)", s[0])
	}
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf("unknown command %q for %q%s; its commands are %s: run `%s --help`",
		args[0], cmd.CommandPath(), hint, list, cmd.CommandPath())}
}
