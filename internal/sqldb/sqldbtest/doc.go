// Package sqldbtest is a database/sql driver for the unit tests of the SQL
// packages: its statements succeed at once, except those a test makes wait
// until their context ends, as a statement does on a server that stopped
// answering or behind a lock. It records every statement, so a test can
// tell what ran and what is still running. Within and Goroutines detect
// the hangs and the goroutines left behind that such tests look for.
// OpenRefusesUnreadableDSN and NewRefusesOtherDriver are the configuration
// checks every SQL store's tests run on its Open and New; NamesPackageOnce
// checks that an error's message names the public package, and only it.
package sqldbtest
