package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/outbox"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// sqlTarget is what a sql command works on: sqlbus destinations or
// outbox topics.
type sqlTarget struct {
	destinations, outboxes []string
}

// sqlTargetFlags are the flags of a sql command that works on
// destinations or outboxes: the connection and what to work on.
type sqlTargetFlags struct {
	conn   connFlags
	target sqlTarget
}

// addTargetFlags adds the connection flags, and --destination and
// --outbox, each repeatable.
func addTargetFlags(cmd *cobra.Command, f *sqlTargetFlags) {
	addConnFlags(cmd, &f.conn)
	cmd.Flags().StringArrayVar(&f.target.destinations, "destination", nil, "an sqlbus destination, as the services name it (payments.fifo)")
	cmd.Flags().StringArrayVar(&f.target.outboxes, "outbox", nil, "an outbox, by its Config.Topic (default outbox_<service>: outbox.TopicFor(service))")
}

// one checks that t names exactly one destination or one outbox, and
// returns it, with whether it is an outbox.
func (t sqlTarget) one() (name string, isOutbox bool, err error) {
	n := len(t.destinations) + len(t.outboxes)
	switch {
	case n == 0:
		return "", false, &ExitError{Code: ExitUsage, Err: fmt.Errorf("name what to work on: --destination NAME (an sqlbus destination) or --outbox TOPIC (an outbox)")}
	case n > 1:
		return "", false, &ExitError{Code: ExitUsage, Err: fmt.Errorf("name one destination or one outbox, not %d: "+
			"give --destination or --outbox once (run the command once for each)", n)}
	case len(t.outboxes) == 1:
		return t.outboxes[0], true, t.check()
	}
	return t.destinations[0], false, t.check()
}

// check refuses, as a usage error before any connection, an empty
// --destination (no service registers one; an unset shell variable gives
// it) and an --outbox that is no outbox topic: the database is not what is
// wrong.
func (t sqlTarget) check() error {
	var errs []error
	for _, name := range t.destinations {
		if name == "" {
			errs = append(errs, errors.New("--destination is empty: name the destination as the services name it (payments.fifo)"))
			break
		}
	}
	for _, topic := range t.outboxes {
		if err := outbox.ValidateTopic(topic); err != nil {
			errs = append(errs, fmt.Errorf("--outbox %q: %w", topic, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return nil
}

// some checks that t names destinations or outboxes, not both.
func (t sqlTarget) some() error {
	switch {
	case len(t.destinations) == 0 && len(t.outboxes) == 0:
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("name what to work on: --destination NAME (an sqlbus destination, repeatable) or --outbox TOPIC (an outbox)")}
	case len(t.destinations) > 0 && len(t.outboxes) > 0:
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("give --destination or --outbox, not both (run the command once for each)")}
	}
	return t.check()
}

// describe names the destination or outbox name in messages, with the
// table of its dead letters. Like kindName and targetFlag it prints the
// name as typed on the command line with the characters a terminal would
// act on escaped (printable), as errors print it.
func describe(name string, isOutbox bool) string {
	if isOutbox {
		return fmt.Sprintf("outbox %s (dead letters in watermill_%s_dead_letters)", printable(name), printable(name))
	}
	return fmt.Sprintf("destination %s (dead letters in watermill_%s)", printable(name), sqlbus.DeadLetterTopic(name))
}

// kindName names the destination or outbox name in messages.
func kindName(name string, isOutbox bool) string {
	if isOutbox {
		return "outbox " + printable(name)
	}
	return "destination " + printable(name)
}

// targetFlag is the flag that names the destination or outbox name, for
// the commands a message suggests, with the name quoted for the shell.
func targetFlag(name string, isOutbox bool) string {
	if isOutbox {
		return "--outbox " + shellWord(name)
	}
	return "--destination " + shellWord(name)
}

// busConfig is the sqlbus configuration of c.
func (c *sqlConn) busConfig() sqlbus.Config {
	return sqlbus.Config{DB: c.db, Dialect: c.target.dialect}
}

// outboxConfig is the outbox configuration of c for topic.
func (c *sqlConn) outboxConfig(topic string) outbox.Config {
	return outbox.Config{DB: c.db, Dialect: c.target.dialect, Topic: topic}
}
