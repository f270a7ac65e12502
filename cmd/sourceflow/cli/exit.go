package cli

import "errors"

// Exit codes of Run.
const (
	// ExitOK: the command succeeded; no drift, healthy.
	ExitOK = 0
	// ExitDrift: AWS differs from the topology file, a resource is
	// unhealthy, or one a command works on is not there: a dead-letter
	// queue of the file (the dlq commands), a consumer group (sql groups
	// --remove).
	ExitDrift = 1
	// ExitUsage: bad flags or arguments, an invalid topology file, an
	// AWS configuration that does not load, or one that gives health no
	// means to run a check (no account to build a topic's ARN from); for
	// the sql commands, no database DSN or one that cannot be parsed.
	ExitUsage = 2
	// ExitAWS: an AWS call failed, or a database call of the sql commands
	// (an unreachable database, a missing privilege; also sql redrive that
	// left dead letters behind).
	ExitAWS = 3
	// ExitInterrupted: the context of Run ended (the sourceflow command
	// cancels it on SIGINT or SIGTERM) before the command finished; the
	// shell convention for an interrupt (128 + SIGINT).
	ExitInterrupted = 130
)

// ExitError is an error with the exit code Run returns for it.
type ExitError struct {
	// Code is one of the Exit constants.
	Code int
	// Err says what happened and what to do.
	Err error
}

// Error returns the message of Err.
func (e *ExitError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *ExitError) Unwrap() error { return e.Err }

// exitCode returns the code of err: ExitOK for nil, the code of an
// *ExitError, and ExitUsage for anything else (cobra's flag and argument
// errors).
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	if ee, ok := errors.AsType[*ExitError](err); ok {
		return ee.Code
	}
	return ExitUsage
}
