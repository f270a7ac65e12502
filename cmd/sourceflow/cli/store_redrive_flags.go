package cli

import "github.com/spf13/cobra"

// storeRedriveFlags are the flags sql redrive and dynamo redrive share
// beside those naming their dead letters: --yes, --reset-hops and the
// selection.
type storeRedriveFlags struct {
	yes, resetHops bool
	sel            redriveSelect // --type, --reason, --before, --after
}

// addStoreRedriveFlags adds the flags f holds to the redrive command cmd;
// dead names the time --before and --after compare.
func addStoreRedriveFlags(cmd *cobra.Command, f *storeRedriveFlags, dead string) {
	cmd.Flags().BoolVar(&f.yes, "yes", false, "move the dead letters back; without it redrive only counts them")
	cmd.Flags().BoolVar(&f.resetHops, "reset-hops", false, "remove each message's hop count (sf_hops) as it moves it back")
	addRedriveTypeFlag(cmd, &f.sel)
	addRedriveSelectFlags(cmd, &f.sel, dead)
}
